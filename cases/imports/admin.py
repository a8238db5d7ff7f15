"""Admin for the ledger import: the synonym table (shipped words and the towns' own) and, read-only, the
import batches (who imported which file, when, with which outcome)."""

from django.contrib import admin

from cases.imports.models import ImportBatch, LedgerSynonym


@admin.register(LedgerSynonym)
class LedgerSynonymAdmin(admin.ModelAdmin):
    list_display = ["kind", "word", "value", "town", "created_by", "created_at"]
    list_filter = ["kind", ("town", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["word", "value"]
    raw_id_fields = ["town"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "town",
        "file_name",
        "created_by",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
    ]
    list_filter = ["status"]
    search_fields = ["file_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
