from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pegasus.performance.models import ContractKpi, RatingRules, ServiceLevelAgreement, SlaTarget, TicketUpload


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(ServiceLevelAgreement)
class ServiceLevelAgreementAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "monthly_charge", "credit_cap_percent", "ticket_service")
    inlines = [SlaTargetInline]


@admin.register(TicketUpload)
class TicketUploadAdmin(SimpleHistoryAdmin):
    list_display = ("original_name", "status", "rows_read", "rows_rejected", "uploaded_at", "uploaded_by")
    readonly_fields = ("status", "progress", "stage", "rows_read", "rows_rejected", "bad_lines", "error", "dataset")


@admin.register(RatingRules)
class RatingRulesAdmin(SimpleHistoryAdmin):
    list_display = ("authority", "approaching_points", "improvement_points")


@admin.register(ContractKpi)
class ContractKpiAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "position", "name", "sla_priority")
