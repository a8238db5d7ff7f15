"""The governance records leave reporting (issue 11 §1): their models are created here in Django's state
only. The tables stay where they are (reporting_meeting, reporting_actionitem, reporting_meetingevent,
with the append-only trigger of reporting 0004 on the last), so no row moves; reporting 0006 forgets
them in its state."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('tiers', '0005_grant_history'),
        ('reporting', '0005_append_only_grade_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Meeting',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('LEADERSHIP_GROUP', '领导小组会议'), ('LIAISON', '季度联席（联络）会议')], max_length=20, verbose_name='会议类型')),
                    ('held_on', models.DateField(verbose_name='召开日期')),
                    ('title', models.CharField(max_length=200, verbose_name='会议名称')),
                    ('chair', models.CharField(blank=True, max_length=100, verbose_name='主持人')),
                    ('attendees', models.TextField(verbose_name='参会人员')),
                    ('minutes', models.TextField(verbose_name='会议纪要')),
                    ('decisions', models.TextField(blank=True, verbose_name='议定事项')),
                    ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='记录时间')),
                    ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='更新时间')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                    ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tiers.region', verbose_name='区划')),
                ],
                options={
                    'verbose_name': '工作会议',
                    'verbose_name_plural': '工作会议',
                    'db_table': 'reporting_meeting',
                    'ordering': ['-held_on', '-id'],
                },
            ),
            migrations.CreateModel(
                name='ActionItem',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('description', models.CharField(max_length=300, verbose_name='事项')),
                    ('responsible', models.CharField(max_length=100, verbose_name='责任单位/人')),
                    ('due_on', models.DateField(blank=True, null=True, verbose_name='完成时限')),
                    ('status', models.CharField(choices=[('OPEN', '未完成'), ('DONE', '已完成'), ('DROPPED', '已撤销')], default='OPEN', max_length=10, verbose_name='状态')),
                    ('done_on', models.DateField(blank=True, null=True, verbose_name='完成日期')),
                    ('note', models.CharField(blank=True, max_length=300, verbose_name='办理情况')),
                    ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_items', to='governance.meeting', verbose_name='会议')),
                ],
                options={
                    'verbose_name': '会议督办事项',
                    'verbose_name_plural': '会议督办事项',
                    'db_table': 'reporting_actionitem',
                    'ordering': ['due_on', 'id'],
                },
            ),
            migrations.CreateModel(
                name='MeetingEvent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('RECORDED', '记录会议'), ('UPDATED', '修改会议记录'), ('ITEM_ADDED', '添加督办事项'), ('ITEM_CHANGED', '修改督办事项'), ('ITEM_STATUS', '督办事项办理')], max_length=20, verbose_name='事项')),
                    ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                    ('changes', models.JSONField(blank=True, default=list, verbose_name='变更内容')),
                    ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                    ('item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='governance.actionitem', verbose_name='督办事项')),
                    ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='governance.meeting', verbose_name='会议')),
                ],
                options={
                    'verbose_name': '会议记录变更',
                    'verbose_name_plural': '会议记录变更',
                    'db_table': 'reporting_meetingevent',
                    'ordering': ['-at', '-id'],
                },
            ),
            migrations.AddIndex(
                model_name='meeting',
                index=models.Index(fields=['region', 'kind', 'held_on'], name='meeting_region_kind_idx'),
            ),
            ],
            database_operations=[],
        ),
    ]
