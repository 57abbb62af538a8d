"""The reports page and its spreadsheets (the numbers come from ``reports.py``)."""

import re
import tempfile

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from relations.exports import cell
from relations.models import AccessRecord
from relations.roles import EXPORT_DATA
from relations.sensitive import described, record_access

from .models import Delegation
from .reports import (
    COUNTING_RULE,
    REPORTS,
    AnnualStatistics,
    Period,
    Report,
    all_reports,
    annual_statistics,
    default_period,
    not_counted,
    years_with_data,
)
from .summaries import shared

FIRST_YEAR, LAST_YEAR = 1900, 2100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(forms.Form):
    from_year = forms.IntegerField(
        label=gettext_lazy("From year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )
    to_year = forms.IntegerField(
        label=gettext_lazy("To year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from_year"), cleaned.get("to_year")
        if first and last and first > last:
            raise forms.ValidationError(_("The first year comes after the last."))
        return cleaned

    def period(self, default: Period) -> Period:
        """The years asked for; a missing end (or a form that does not validate) is the
        default's. One end given alone may pass the other: it then stands alone."""
        if not self.is_valid():
            return default
        first = self.cleaned_data["from_year"] or default.first.year
        last = self.cleaned_data["to_year"] or default.last.year
        if first > last:
            first, last = (first, first) if self.cleaned_data["from_year"] else (last, last)
        return Period.of_years(first, last)


def requested_period(request) -> tuple[PeriodForm, Period]:
    """The period asked for, and the form to show: with its errors, or with the years the
    page shows filled in (also when they are the default)."""
    form = PeriodForm(request.GET)
    period = form.period(default_period(today=timezone.localdate()))
    if form.is_valid():
        form = PeriodForm({"from_year": period.first.year, "to_year": period.last.year})
    return form, period


class ReportList(PermissionRequiredMixin, TemplateView):
    permission_required = "delegations.view_delegation"
    template_name = "delegations/reports/report_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, period = requested_period(self.request)
        key = f"{period.first}:{period.last}"
        left_out = shared(f"not-counted:{key}", lambda: not_counted(period))
        years = shared("report-years", years_with_data)
        context.update(
            form=form,
            period=period,
            reports=shared(f"reports:{key}", lambda: all_reports(period)),
            counting_rule=COUNTING_RULE,
            not_counted=[
                (Delegation.Status(status).label.lower(), left_out[status])
                for status in Delegation.Status.values
                if status in left_out
            ],
            years=years,
            can_export=self.request.user.has_perm(EXPORT_DATA),
            period_query=f"from_year={period.first.year}&to_year={period.last.year}",
        )
        return context


# ---- Spreadsheets -----------------------------------------------------------------------


def sheet_title(text: str) -> str:
    # Excel refuses these characters in a sheet's name, and names over 31 characters.
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def append(sheet, values) -> None:
    sheet.append([cell(value) for value in values])


def write_report(workbook, report: Report, period: Period) -> int:
    sheet = workbook.create_sheet(sheet_title(str(report.title)))
    sheet.column_dimensions["A"].width = 36
    append(sheet, [report.title])
    append(sheet, [_("Period: %(period)s") % {"period": period}])
    append(sheet, [COUNTING_RULE])
    sheet.append([])
    headers = [
        _("%(group)s: %(header)s") % {"group": c.group, "header": c.header} if c.group else c.header
        for c in report.columns
    ]
    append(sheet, [report.label_header, *headers])
    for row in report.rows:
        append(sheet, [row.label, *row.values])
    if report.totals is not None:
        append(sheet, [_("Total"), *report.totals])
    if report.notes:
        sheet.append([])
        for note in report.notes:
            append(sheet, [note])
    return len(report.rows)


def write_annual_statistics(workbook, statistics: AnnualStatistics) -> int:
    sheet = workbook.create_sheet(sheet_title(str(statistics.year)))
    sheet.column_dimensions["B"].width = 30
    title = _("International exchanges in %(year)s") % {"year": statistics.year}
    if statistics.home:
        title = _("%(home)s: %(title)s") % {"home": statistics.home, "title": title}
    append(sheet, [title])
    append(sheet, [COUNTING_RULE])
    append(
        sheet,
        [
            _(
                "Type of relationship: as it stood at the end of the year. A visit in several "
                "sectors counts once in each; Total counts it once. Partners listed: those "
                "whose relationship had begun by the end of the year, and any other visited."
            )
        ],
    )
    sheet.append([])
    append(sheet, statistics.columns)
    for row in statistics.rows:
        append(sheet, row)
    append(sheet, statistics.totals)
    return len(statistics.rows)


def xlsx_file(workbook, filename: str) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)


class ReportXlsx(PermissionRequiredMixin, View):
    """One report (``?report=by-year``) or all of them, one sheet each, for the period."""

    permission_required = ["delegations.view_delegation", EXPORT_DATA]

    def get(self, request):
        from openpyxl import Workbook

        key = request.GET.get("report", "")
        if key and key not in REPORTS:
            raise Http404("No such report.")
        _form, period = requested_period(request)
        reports = [REPORTS[key](period)] if key else all_reports(period)
        # Write-only: rows go straight to the file, not into a workbook held in memory.
        workbook = Workbook(write_only=True)
        rows = sum(write_report(workbook, report, period) for report in reports)
        filename = f"exchanges-{key or 'reports'}-{period.first.year}-{period.last.year}"
        record_access(
            request,
            kind=AccessRecord.Kind.EXPORT,
            what=described(f"{filename}.xlsx", request.GET),
            rows=rows,
        )
        return xlsx_file(workbook, filename)


class AnnualStatisticsXlsx(PermissionRequiredMixin, View):
    """The year's exchanges per partner (``?year=2025``; the latest year with visits)."""

    permission_required = ["delegations.view_delegation", EXPORT_DATA]

    def get(self, request):
        from openpyxl import Workbook

        asked = request.GET.get("year", "")
        if asked:
            if not asked.isdigit() or not FIRST_YEAR <= int(asked) <= LAST_YEAR:
                raise Http404("No such year.")
            year = int(asked)
        else:
            year = default_period(today=timezone.localdate()).last.year
        workbook = Workbook(write_only=True)
        rows = write_annual_statistics(workbook, annual_statistics(year))
        filename = f"annual-statistics-{year}"
        record_access(request, kind=AccessRecord.Kind.EXPORT, what=f"{filename}.xlsx", rows=rows)
        return xlsx_file(workbook, filename)
