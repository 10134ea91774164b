from django.contrib import admin

from directory.models import Discipline, DistributionList, Etablissement, Function, Person


@admin.register(Etablissement)
class EtablissementAdmin(admin.ModelAdmin):
    list_display = ["name", "uai", "kind", "city", "bassin"]
    search_fields = ["name", "uai", "city"]


@admin.register(DistributionList)
class DistributionListAdmin(admin.ModelAdmin):
    list_display = ["address", "name", "etablissement"]
    search_fields = ["address", "name"]
    filter_horizontal = ["members", "owners"]
    list_filter = ["kind"]


@admin.register(Discipline, Function)
class NameOnlyAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["user", "phone"]
    search_fields = ["sort_key"]
    filter_horizontal = ["etablissements", "functions", "disciplines"]
    raw_id_fields = ["user"]
