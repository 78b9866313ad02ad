
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publication', '0002_notices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OcdsExport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('releases', 'Release package'), ('records', 'Record package')], max_length=10)),
                ('as_at', models.DateField(help_text="the date contracts' current ends and spend are read at")),
                ('generated_at', models.DateTimeField(help_text="the package's publishedDate")),
                ('via', models.CharField(choices=[('command', 'the export command'), ('page', 'staff, on this page')], max_length=10)),
                ('file', models.FileField(max_length=300, upload_to='publication/ocds/')),
                ('size', models.PositiveBigIntegerField(help_text='bytes')),
                ('sha256', models.CharField(max_length=64)),
                ('items', models.PositiveIntegerField(help_text='releases, or records')),
                ('processes', models.PositiveIntegerField(help_text='contracting processes')),
                ('contracts', models.PositiveIntegerField(help_text="the estate's contracts")),
                ('procurements', models.PositiveIntegerField()),
                ('notices', models.PositiveIntegerField(help_text='published notices')),
                ('awards', models.PositiveIntegerField(help_text="published awards of procurements' tenders")),
                ('publisher', models.CharField(blank=True, max_length=300)),
                ('license', models.CharField(blank=True, max_length=300)),
                ('version', models.CharField(blank=True, help_text='the OCDS version the package declares', max_length=10)),
                ('error_count', models.PositiveIntegerField(blank=True, help_text='places where the package breaks the schema; empty when it was not checked', null=True)),
                ('errors', models.JSONField(blank=True, default=list, help_text='[{path, message}] of the first errors')),
                ('generated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-generated_at', '-pk'],
                'indexes': [models.Index(fields=['kind', 'as_at', 'generated_at'], name='publication_kind_1ac10f_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['releases', 'records'])), name='ocds_export_kind'), models.CheckConstraint(condition=models.Q(('via__in', ['command', 'page'])), name='ocds_export_via')],
            },
        ),
    ]
