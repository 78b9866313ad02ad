"""Import market prices (supplier, tower, annual price) from XLSX or CSV, through Pegasus's one import path.

The file is read by `pegasus.core.tabular.read_table` and its cell parsers, as the estate's contracts and spend
are, so the rules are the same: the whole file or nothing, every bad row named by line and column, and the same
file twice changes nothing.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction

from pegasus.core import intake, tabular
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import ImportRejected, RowError
from pegasus.core.tabular import VALUE_REQUIRED, Column, ImportResult, Tally, lookup_key, parse_money, read_table
from pegasus.core.types import User
from pegasus.estate import selectors as estate_selectors
from pegasus.sourcing.models import MarketPrice

MARKET_PRICES = "market-prices"
UNKNOWN_SUPPLIER = "{value} is not the name of a supplier held: add the supplier first."
DUPLICATE_PRICE = "{supplier} already prices {tower} on line {line}: each supplier and tower can be listed once."

PRICE_COLUMNS = (
    Column("supplier", True, "The supplier's name, as held in Pegasus."),
    Column("tower", True, "The tower's code or name, such as networks or Networks."),
    Column("annual_price", True, "Pounds a year excluding VAT, such as 12,500,000.00. No row: cannot deliver it."),
)


def parse_price_rows(table, *, suppliers: dict[str, int], towers: dict[str, str]):
    """(line, supplier id, tower code, price) per row, and a RowError for every bad cell; pure."""
    rows: list[tuple[int, int, str, Decimal]] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, str], int] = {}
    for line, cells in table.rows:
        values: dict[str, Any] = {}  # the supplier's id, the tower's code, the price
        for column in PRICE_COLUMNS:
            raw = cells.get(column.name)
            if tabular.blank(raw):
                errors.append(RowError(line, column.name, VALUE_REQUIRED.format(column=column.name)))
                continue
            try:
                if column.name == "supplier":
                    key = lookup_key(raw)
                    if key not in suppliers:
                        raise ValueError(UNKNOWN_SUPPLIER.format(value=tabular.shown(raw)))
                    values["supplier"] = suppliers[key]
                elif column.name == "tower":
                    key = lookup_key(raw)
                    if key not in towers:
                        raise ValueError(estate_selectors.UNKNOWN_TOWER.format(value=tabular.shown(raw)))
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
def market_prices_import(*, filename: str, data: bytes, by: User | None) -> ImportResult:
    """Create or update market prices from a file, all or nothing; ImportRejected lists every bad row."""
    table = read_table(filename, data, PRICE_COLUMNS, kind=MARKET_PRICES)
    suppliers = {lookup_key(s.name): s.pk for s in estate_selectors.suppliers()}
    tower_objects = list(estate_selectors.towers())
    towers = tabular.code_and_name_keys((t.code, t.name) for t in tower_objects)
    tower_pk = {t.code: t.pk for t in tower_objects}
    rows, errors = parse_price_rows(table, suppliers=suppliers, towers=towers)
    if errors:
        raise ImportRejected(errors)
    held = {(p.supplier_id, p.tower_id): p for p in MarketPrice.objects.select_for_update()}
    tally = Tally()
    for _, supplier_id, code, price in rows:
        current = held.get((supplier_id, tower_pk[code]))
        if current is None:
            MarketPrice.objects.create(supplier_id=supplier_id, tower_id=tower_pk[code], annual_price=price)
            tally.created += 1
        elif current.annual_price != price:
            current.annual_price = price
            current.save(update_fields=["annual_price"])
            tally.updated += 1
        else:
            tally.unchanged += 1
    result = tally.result(MARKET_PRICES)
    if result.changed:
        audit_record(
            action="sourcing.market-prices-import",
            by=by,
            summary=f"Market prices imported from {filename[:100]}: {result}",
            data=result.as_dict(),
        )
    return result


def template_xlsx() -> bytes:
    """The header row, one example row and a sheet of notes, as every import's template."""
    example = ["Thamesmead Networks plc (illustrative)", "networks", Decimal("13200000.00")]
    return tabular.template_xlsx(PRICE_COLUMNS, example, title="Market prices")
