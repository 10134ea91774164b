from django.contrib import admin

from directory.models import DistributionList, Etablissement


@admin.register(Etablissement)
class EtablissementAdmin(admin.ModelAdmin):
    list_display = ["name", "uai", "kind", "city"]
    search_fields = ["name", "uai", "city"]


@admin.register(DistributionList)
class DistributionListAdmin(admin.ModelAdmin):
    list_display = ["address", "name", "etablissement"]
    search_fields = ["address", "name"]
    filter_horizontal = ["members"]
