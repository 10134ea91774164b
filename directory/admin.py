from django.contrib import admin

from directory.models import Etablissement


@admin.register(Etablissement)
class EtablissementAdmin(admin.ModelAdmin):
    list_display = ["name", "uai", "kind", "city"]
    search_fields = ["name", "uai", "city"]
