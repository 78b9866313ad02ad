"""The CP-SAT model of a compiled problem (or of a part of one, the rest fixed), shaped for this problem.

- Lots are *slots owned by a supplier*: supplier s has slots (s, 0) .. (s, L_s - 1), L_s = the most lots it may win
  (capped by max_lots and by the units it can price). A unit goes to exactly one slot of a supplier that prices it,
  so the price of a unit is linear in its slot variables and the linear relaxation already charges every unit at
  least its cheapest price. There is no "lot -> supplier" product to linearise.
- Symmetry: slots of one supplier are interchangeable, so slot k+1 may only be opened by a unit later (in input
  order) than the first unit of slot k; lots are told apart by their lowest-indexed unit.
- Bidders: "supplier t could bid for slot (s, k)" is a boolean that forbids every unit of s that t does not price;
  suppliers with the same coverage of s's units share one boolean (counted with multiplicity), and suppliers that
  cover all of s's units are counted as constants.
- Interfaces: "both ends in slot (s, k)" booleans only for slots that can hold both ends; an interface whose ends
  can never share a lot is a constant in the objective.
- A solution given as a hint is a complete hint: every variable, auxiliary ones included.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from pegasus.sourcing.optimiser.compiled import Awards, Compiled

Choice = tuple[int, int, int]  # (unit, supplier, slot)


@dataclass
class Model:
    """A built model and the variables a solution is read from."""

    model: cp_model.CpModel
    assign: dict[Choice, cp_model.IntVar]  # (unit, supplier, slot)
    used: dict[tuple[int, int], cp_model.IntVar]  # (supplier, slot)
    offset: int  # constant part of the objective (interfaces cut in every solution)


@dataclass
class _Draft:
    """A model being built: its choice and slot variables, and the hint's value of each choice."""

    c: Compiled
    model: cp_model.CpModel
    supplier_units: list[list[int]]
    slots: dict[int, int]  # supplier -> its number of slots
    assign: dict[Choice, cp_model.IntVar]
    used: dict[tuple[int, int], cp_model.IntVar]
    hinted: dict[Choice, int]
    hinting: bool

    def hint_of(self, key: Choice) -> int:
        return self.hinted.get(key, 0)


def build_model(c: Compiled, hint: Awards | None, *, order_slots: bool = True) -> Model:
    """The model of `c`, with `hint` (a complete solution) as its hint; slots ordered against symmetry unless not
    `order_slots`."""
    draft = _variables(c, hint)
    _add_partition(draft)
    if order_slots:
        _add_slot_order(draft)
    if c.max_lots is not None and c.max_lots < len(draft.used):
        draft.model.add(sum(draft.used.values()) <= c.max_lots)
    if c.need > 1:
        _add_bidders(draft)
    _add_kept_apart(draft)
    price_vars, price_coefs, total = _add_prices_and_share(draft)
    offset = _add_objective(draft, price_vars, price_coefs)
    if hint is not None:
        _add_solution_hint(draft, hint, total)
    return Model(draft.model, draft.assign, draft.used, offset)


def _variables(c: Compiled, hint: Awards | None) -> _Draft:
    """A slot variable per (supplier, slot) and a choice variable per (unit, supplier, slot); the k-th slot of a
    supplier is opened by at least its k-th unit, so earlier units have no choice of it. Hinted slots are a
    supplier's lots in the order of their first unit."""
    model = cp_model.CpModel()
    supplier_units = c.supplier_units()
    slots = {s: c.slots(s, len(units)) for s, units in enumerate(supplier_units)}
    assign: dict[Choice, cp_model.IntVar] = {}
    used: dict[tuple[int, int], cp_model.IntVar] = {}
    for s, units in enumerate(supplier_units):
        for k in range(slots[s]):
            used[s, k] = model.new_bool_var(f"used_{s}_{k}")
            for position, u in enumerate(units):
                if position >= k:  # the k-th slot is opened by at least the k-th unit of the supplier
                    assign[u, s, k] = model.new_bool_var(f"a_{u}_{s}_{k}")

    hinted: dict[Choice, int] = {}
    if hint is not None:
        for s in range(c.n_suppliers):
            mine = sorted((min(units), units) for units, winner in hint if winner == s)
            for k, (_, units) in enumerate(mine):
                for u in units:
                    hinted[u, s, k] = 1
    return _Draft(c, model, supplier_units, slots, assign, used, hinted, hint is not None)


def _add_partition(draft: _Draft) -> None:
    """Every unit in exactly one slot; a slot is used exactly when it holds a unit; slots are used in order."""
    model, assign, used = draft.model, draft.assign, draft.used
    by_unit: dict[int, list[Choice]] = {}
    by_slot: dict[tuple[int, int], list[Choice]] = {}
    for key in assign:
        by_unit.setdefault(key[0], []).append(key)
        by_slot.setdefault((key[1], key[2]), []).append(key)

    for keys in by_unit.values():
        model.add_exactly_one(assign[k] for k in keys)
    for (s, k), var in used.items():
        members = by_slot.get((s, k), [])
        for key in members:
            model.add_implication(assign[key], var)
        model.add_bool_or([assign[key] for key in members]).only_enforce_if(var)
        if k > 0:
            model.add_implication(var, used[s, k - 1])


def _add_slot_order(draft: _Draft) -> None:
    """Symmetry: a unit may open slot k > 0 of supplier s only after some earlier unit of s is in slot k - 1."""
    model, assign = draft.model, draft.assign
    for s, units in enumerate(draft.supplier_units):
        for k in range(1, draft.slots[s]):
            seen = None  # "some unit of s up to here is in slot k - 1"
            seen_value = 0
            for u in units:
                if (u, s, k) in assign and seen is not None:
                    model.add_implication(assign[u, s, k], seen)
                if (u, s, k - 1) not in assign:
                    continue
                current = model.new_bool_var(f"seen_{s}_{k - 1}_{u}")
                here = assign[u, s, k - 1]
                value = max(seen_value, draft.hint_of((u, s, k - 1)))
                if seen is None:
                    model.add(current == here)
                else:
                    model.add_bool_or([seen, here]).only_enforce_if(current)
                    model.add_implication(seen, current)
                    model.add_implication(here, current)
                if draft.hinting:
                    model.add_hint(current, value)
                seen, seen_value = current, value


def _add_bidders(draft: _Draft) -> None:
    """Bidders: enough suppliers other than the winner price every unit in each used slot."""
    c, model, assign = draft.c, draft.model, draft.assign
    unit_sets = [set(units) for units in draft.supplier_units]
    for s, units in enumerate(draft.supplier_units):
        coverage: dict[frozenset[int], int] = {}
        certain = 0
        for t in range(c.n_suppliers):
            if t == s:
                continue
            covered = frozenset(u for u in units if t in c.unit_price[u])
            if len(covered) == len(unit_sets[s]):
                certain += 1
            elif covered:
                coverage[covered] = coverage.get(covered, 0) + 1
        short = c.need - 1 - certain
        if short <= 0:
            continue
        for k in range(draft.slots[s]):
            slot_units = [u for u in units if (u, s, k) in assign]
            in_lot = {u for u in slot_units if draft.hint_of((u, s, k))}
            size = None
            terms = []
            for covered, count in coverage.items():
                bid = model.new_bool_var(f"bid_{s}_{k}")
                inside = [u for u in slot_units if u in covered]
                outside = [u for u in slot_units if u not in covered]
                if len(inside) + 1 < len(outside):
                    # few covered units (a specialist beside a generalist): "the lot is no bigger than the part
                    # of it t covers" takes |inside| + 1 terms instead of |outside| literals
                    if size is None:
                        size = model.new_int_var(0, len(slot_units), f"size_{s}_{k}")
                        model.add(size == cp_model.LinearExpr.sum([assign[u, s, k] for u in slot_units]))
                        if draft.hinting:
                            model.add_hint(size, len(in_lot))
                    model.add(cp_model.LinearExpr.sum([assign[u, s, k] for u in inside]) >= size).only_enforce_if(bid)
                elif outside:
                    model.add_bool_and([assign[u, s, k].Not() for u in outside]).only_enforce_if(bid)
                terms.append((bid, count))
                if draft.hinting:
                    model.add_hint(bid, int(in_lot <= covered))
            model.add(sum(count * bid for bid, count in terms) >= short * draft.used[s, k])


def _add_kept_apart(draft: _Draft) -> None:
    """Units kept apart never share a slot."""
    c, model, assign = draft.c, draft.model, draft.assign
    for u, v in c.separate:
        for s in c.unit_price[u].keys() & c.unit_price[v].keys():
            for k in range(draft.slots[s]):
                if (u, s, k) in assign and (v, s, k) in assign:
                    model.add_bool_or([assign[u, s, k].Not(), assign[v, s, k].Not()])


def _add_prices_and_share(
    draft: _Draft,
) -> tuple[list[cp_model.IntVar], list[int], cp_model.IntVar]:
    """The total price as a variable and each supplier's spend within its share of it (fixed lots' spend included);
    returns the price terms and the total."""
    c, model, assign = draft.c, draft.model, draft.assign
    keys = list(assign)
    price_vars = [assign[key] for key in keys]
    price_coefs = [c.unit_price[u][s] for u, s, _ in keys]
    total_upper = sum(max(prices.values()) for prices in c.unit_price)
    total = model.new_int_var(0, total_upper, "total_price")
    model.add(total == cp_model.LinearExpr.weighted_sum(price_vars, price_coefs))
    if c.share is not None and c.share < 1:
        slots = draft.slots
        cheapest_total = sum(min(prices.values()) for prices in c.unit_price) + c.total_offset
        for s, units in enumerate(draft.supplier_units):
            most = sum(c.unit_price[u][s] for u in units) + c.spend_offset.get(s, 0)
            if most <= c.share * cheapest_total:
                continue  # can never exceed its share
            spend = cp_model.LinearExpr.weighted_sum(
                [assign[u, s, k] for u in units for k in range(slots[s]) if (u, s, k) in assign],
                [c.unit_price[u][s] for u in units for k in range(slots[s]) if (u, s, k) in assign],
            )
            model.add(
                c.share.denominator * (spend + c.spend_offset.get(s, 0)) <= c.share.numerator * (total + c.total_offset)
            )
    return price_vars, price_coefs, total


def _add_objective(draft: _Draft, price_vars: list[cp_model.IntVar], price_coefs: list[int]) -> int:
    """Minimise lots, prices and interfaces cut: every interface counted as cut, less its weight when both ends share
    a slot; returns the objective's constant part."""
    c, model, assign = draft.c, draft.model, draft.assign
    objective_vars: list[cp_model.IntVar] = list(draft.used.values())
    objective_coefs: list[int] = [c.lot_cost] * len(draft.used)
    offset = c.fixed_handoff
    for (u, v), weight in c.edges.items():
        offset += weight
        for s in c.unit_price[u].keys() & c.unit_price[v].keys():
            for k in range(draft.slots[s]):
                if (u, s, k) not in assign or (v, s, k) not in assign:
                    continue
                same = model.new_bool_var(f"same_{u}_{v}_{s}_{k}")
                a, b = assign[u, s, k], assign[v, s, k]
                model.add_implication(same, a)
                model.add_implication(same, b)
                model.add_bool_or([a.Not(), b.Not(), same])
                objective_vars.append(same)
                objective_coefs.append(-weight)
                if draft.hinting:
                    model.add_hint(same, draft.hint_of((u, s, k)) * draft.hint_of((v, s, k)))
    model.minimize(
        cp_model.LinearExpr.weighted_sum(objective_vars, objective_coefs)
        + cp_model.LinearExpr.weighted_sum(price_vars, price_coefs)
        + offset
    )
    return offset


def _add_solution_hint(draft: _Draft, hint: Awards, total: cp_model.IntVar) -> None:
    """The hint's value of every choice, slot and the total price."""
    c, model = draft.c, draft.model
    for key, var in draft.assign.items():
        model.add_hint(var, draft.hint_of(key))
    for (s, k), var in draft.used.items():
        model.add_hint(var, int(any(draft.hint_of((u, s, k)) for u in draft.supplier_units[s])))
    model.add_hint(total, sum(c.unit_price[u][s] for units, s in hint for u in units))
