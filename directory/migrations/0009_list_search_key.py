from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from directory.search import list_key

    DistributionList = apps.get_model("directory", "DistributionList")
    for dlist in DistributionList.objects.all():
        dlist.search_key = list_key(dlist.name, dlist.address)
        dlist.save(update_fields=["search_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0008_merge_0007_bassin_0007_etablissement_academie"),
    ]

    operations = [
        migrations.AddField(
            model_name="distributionlist",
            name="search_key",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
