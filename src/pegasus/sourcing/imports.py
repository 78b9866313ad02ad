"""Import market prices (supplier, tower, annual price) from XLSX or CSV, through the estate's one import path.

The file is read by `pegasus.estate.imports.read_table` and its cell parsers, so the rules are the same as for
contracts and spend: the whole file or nothing, every bad row named by line and column, and the same file twice
changes nothing.
"""

from decimal import Decimal

from django.db import transaction

from pegasus.core import intake, spreadsheets
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import ImportRejected, RowError
from pegasus.estate import imports as estate_imports
from pegasus.estate.imports import Column, ImportResult, parse_money, parse_text, read_table
from pegasus.estate.models import ServiceTower, Supplier
from pegasus.sourcing.models import MarketPrice

MARKET_PRICES = "market-prices"
UNKNOWN_SUPPLIER = "{value} is not the name of a supplier held: add the supplier first."
UNKNOWN_TOWER = estate_imports.UNKNOWN_TOWER
VALUE_REQUIRED = estate_imports.VALUE_REQUIRED
DUPLICATE_PRICE = "{supplier} already prices {tower} on line {line}: each supplier and tower can be listed once."

PRICE_COLUMNS = (
    Column("supplier", True, "The supplier's name, as held in Pegasus."),
    Column("tower", True, "The tower's code or name, such as networks or Networks."),
    Column("annual_price", True, "Pounds a year excluding VAT, such as 12,500,000.00. No row: cannot deliver it."),
)
# The estate's registry of import kinds: read_table takes the columns from it.
estate_imports.COLUMNS.setdefault(MARKET_PRICES, PRICE_COLUMNS)


def parse_price_rows(table, *, suppliers: dict[str, int], towers: dict[str, str]):
    """(line, supplier id, tower code, price) per row, and a RowError for every bad cell; pure."""
    rows, errors, seen = [], [], {}
    for line, cells in table.rows:
        values = {}
        for column in PRICE_COLUMNS:
            raw = cells.get(column.name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                errors.append(RowError(line, column.name, VALUE_REQUIRED.format(column=column.name)))
                continue
            try:
                if column.name == "supplier":
                    key = " ".join(parse_text(raw).split()).casefold()
                    if key not in suppliers:
                        raise ValueError(UNKNOWN_SUPPLIER.format(value=estate_imports._shown(raw)))
                    values["supplier"] = suppliers[key]
                elif column.name == "tower":
                    key = " ".join(parse_text(raw).split()).casefold()
                    if key not in towers:
                        raise ValueError(UNKNOWN_TOWER.format(value=estate_imports._shown(raw)))
                    values["tower"] = towers[key]
                else:
                    values["annual_price"] = parse_money(raw)
            except ValueError as exc:
                errors.append(RowError(line, column.name, str(exc)))
        if len(values) == 3:
            pair = (values["supplier"], values["tower"])
            if pair in seen:
                errors.append(
                    RowError(
                        line,
                        "tower",
                        DUPLICATE_PRICE.format(
                            supplier=intake.shortened(cells["supplier"]), tower=values["tower"], line=seen[pair]
                        ),
                    )
                )
            seen[pair] = line
            rows.append((line, values["supplier"], values["tower"], values["annual_price"]))
    return rows, errors


@transaction.atomic
def market_prices_import(*, filename: str, data: bytes, by) -> ImportResult:
    """Create or update market prices from a file, all or nothing; ImportRejected lists every bad row."""
    table = read_table(filename, data, MARKET_PRICES)
    suppliers = {" ".join(s.name.split()).casefold(): s.pk for s in Supplier.objects.all()}
    tower_objects = list(ServiceTower.objects.all())
    towers = estate_imports._tower_keys(tower_objects)
    tower_pk = {t.code: t.pk for t in tower_objects}
    rows, errors = parse_price_rows(table, suppliers=suppliers, towers=towers)
    if errors:
        raise ImportRejected(errors)
    held = {(p.supplier_id, p.tower_id): p for p in MarketPrice.objects.select_for_update()}
    created = updated = unchanged = 0
    for _, supplier_id, code, price in rows:
        current = held.get((supplier_id, tower_pk[code]))
        if current is None:
            MarketPrice.objects.create(supplier_id=supplier_id, tower_id=tower_pk[code], annual_price=price)
            created += 1
        elif current.annual_price != price:
            current.annual_price = price
            current.save(update_fields=["annual_price"])
            updated += 1
        else:
            unchanged += 1
    result = ImportResult(MARKET_PRICES, created, updated, unchanged)
    if created or updated:
        audit_record(
            action="sourcing.market-prices-import",
            by=by,
            summary=f"Market prices imported from {filename[:100]}: {result}",
            data=result.as_dict(),
        )
    return result


def template_xlsx() -> bytes:
    """The header row, one example row and a sheet of notes, as the estate's templates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Market prices"
    spreadsheets.xlsx_append(sheet, [c.name for c in PRICE_COLUMNS])
    spreadsheets.xlsx_append(sheet, ["Thamesmead Networks plc (illustrative)", "networks", Decimal("13200000.00")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet["C2"].number_format = "£#,##0.00"
    for letter, width in (("A", 44), ("B", 24), ("C", 18)):
        sheet.column_dimensions[letter].width = width
    notes = workbook.create_sheet("Notes")
    spreadsheets.xlsx_append(notes, ["column", "required", "what to enter"])
    for column in PRICE_COLUMNS:
        spreadsheets.xlsx_append(notes, [column.name, "yes" if column.required else "no", column.help])
    spreadsheets.xlsx_append(notes, ["Pegasus reads the first sheet only. A file is imported whole or not at all."])
    return spreadsheets.xlsx_bytes(workbook)
