import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def organizer_addresses(apps, schema_editor):
    RoomBooking = apps.get_model("calendar_app", "RoomBooking")
    for booking in RoomBooking.objects.select_related("organizer").filter(organizer_email=""):
        if booking.organizer is not None:
            booking.organizer_email = booking.organizer.email.lower()
            booking.save(update_fields=["organizer_email"])


class Migration(migrations.Migration):

    dependencies = [
        ("calendar_app", "0006_merge_0003_rooms_0005_merge_20261206_1656"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="room",
            name="kind",
            field=models.CharField(choices=[("room", "Room"), ("equipment", "Equipment")],
                                   default="room", max_length=10, verbose_name="kind"),
        ),
        migrations.AddField(
            model_name="room",
            name="active",
            field=models.BooleanField(default=True, verbose_name="bookable"),
        ),
        migrations.AlterField(
            model_name="roombooking",
            name="organizer",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="roombooking",
            name="organizer_email",
            field=models.EmailField(blank=True, max_length=320),
        ),
        migrations.RunPython(organizer_addresses, migrations.RunPython.noop),
        migrations.CreateModel(
            name="SchoolCalendarCopy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("digest", models.CharField(max_length=64)),
                ("written_at", models.DateTimeField(auto_now=True)),
                ("owner", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="+",
                                               to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
