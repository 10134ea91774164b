from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_login_throttle'),
    ]

    operations = [
        migrations.CreateModel(
            name='DovecotHome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('imap_user', models.CharField(max_length=128, unique=True, verbose_name='IMAP user')),
                ('backend', models.CharField(db_index=True, max_length=64, verbose_name='Dovecot backend')),
                ('assigned_at', models.DateTimeField(auto_now=True, verbose_name='assigned at')),
            ],
            options={
                'verbose_name': 'mailbox home',
                'verbose_name_plural': 'mailbox homes',
            },
        ),
    ]
