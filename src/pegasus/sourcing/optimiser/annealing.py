"""Simulated annealing on the whole problem: single units moved between lots, lots re-awarded, swapped and merged.

Each step proposes one change and checks every constraint of the whole problem for it before taking it:

- *relocate* a unit to a lot next to it (by an interface) or of a supplier that prices it, or to a new lot;
- *re-award* a lot to another of its bidders;
- *swap* a unit with one of a lot it is joined to;
- *merge* a lot with one it is joined to, under a supplier that can bid for both.

A change that costs more is taken with probability exp(-cost / temperature); the temperature falls geometrically
from a sixth of the average cheapest unit price to 1/2000 of it. Lots' bidders are bit sets of suppliers (a unit's is
the suppliers pricing it; a lot's is the AND of its units'), so a step costs microseconds and a run makes millions.
"""

from __future__ import annotations

import math
import random
import time

from pegasus.sourcing.optimiser.compiled import Awards, Compiled, awards_value

_ANNEAL_SECONDS_PER_UNIT = 0.02  # the length of one annealing run, between 1 and 10 seconds
_ANNEAL_MIN_SECONDS = 1.0
_ANNEAL_MAX_SECONDS = 10.0
_ANNEAL_HOT = 6  # the temperature falls from the average cheapest unit price over this
_ANNEAL_COLD = 2000  # to that price over this
# the moves' shares of the steps, as cumulative thresholds: relocate below the first, re-award, swap, then merge
_RELOCATE = 0.6
_REAWARD = 0.85
_SWAP = 0.93
_STEPS_PER_CLOCK = 1024  # steps between readings of the clock (a power of two)

# a change taken: each changed supplier's new spend, the new total spend, and the change in the objective
_Change = tuple[dict[int, int], int, int]


def run_seconds(c: Compiled) -> float:
    """The length of one annealing run on `c`: longer for more units, within bounds."""
    return min(max(len(c.units) * _ANNEAL_SECONDS_PER_UNIT, _ANNEAL_MIN_SECONDS), _ANNEAL_MAX_SECONDS)


def anneal(c: Compiled, awards: Awards, seconds: float, rng: random.Random) -> Awards | None:
    """The best solution met while annealing from `awards` for `seconds`, or None when none beat it."""
    assert c.slot_cap is None, "annealing works on the whole problem"
    state = _Annealing(c, awards, rng)
    typical = sum(min(prices.values()) for prices in c.unit_price) / len(c.units)
    hot, cold = max(typical / _ANNEAL_HOT, 1), max(typical / _ANNEAL_COLD, 1e-3)
    state.temperature = hot
    # locals, not lookups, in a loop that runs millions of times
    relocate, reaward, swap, merge = state.relocate, state.reaward, state.swap, state.merge
    relocate_below, reaward_below, swap_below = _RELOCATE, _REAWARD, _SWAP
    clock_mask = _STEPS_PER_CLOCK - 1
    spend = state.spend
    value = best_value = state.value
    best = None
    started = time.perf_counter()
    deadline = started + seconds
    step = 0
    while True:
        step += 1
        if step & clock_mask == 0:
            now = time.perf_counter()
            if now >= deadline:
                break
            state.temperature = hot * (cold / hot) ** ((now - started) / seconds)
            state.lots = list(state.winner)
        move = rng.random()
        if move < relocate_below:
            change = relocate()
        elif move < reaward_below:
            change = reaward()
        elif move < swap_below:
            change = swap()
        else:
            change = merge()
        if change is None:
            continue
        # the change is taken
        changed, state.total, delta = change
        for supplier, amount in changed.items():
            spend[supplier] = amount
        value += delta
        if value < best_value:
            best_value = value
            best = state.awards()
    return best


class _Annealing:
    """The solution being annealed: each lot's winner, units and bidders, each supplier's lots and spend.

    Each move draws a change at random and returns it once it has made it to the lots (the spend and total are then
    brought up to date by the caller), or returns None, changing nothing, when the change breaks a constraint or
    is refused at the temperature."""

    def __init__(self, c: Compiled, awards: Awards, rng: random.Random):
        self.c = c
        self.rng = rng
        self.n_units = n_units = len(c.units)
        self.n_suppliers = n_suppliers = c.n_suppliers
        self.price = price = c.unit_price
        self.cover = cover = [sum(1 << s for s in prices) for prices in price]
        self.adjacent = [list(others.items()) for others in c.neighbours()]  # lists, to draw a neighbour at random
        self.apart = c.kept_apart()
        self.offers = [list(prices) for prices in price]
        self.need = c.need
        self.per_supplier = c.max_per_supplier or n_units
        self.max_lots = c.max_lots or n_units
        self.share_num, self.share_den = (c.share.numerator, c.share.denominator) if c.share is not None else (1, 1)
        self.lot_cost = c.lot_cost
        self.temperature = 1.0

        self.winner: dict[int, int] = {}  # lot -> supplier
        self.members: dict[int, set[int]] = {}  # lot -> units
        self.bidders: dict[int, int] = {}  # lot -> bit set of the suppliers pricing all of it
        self.lots_of: list[set[int]] = [set() for _ in range(n_suppliers)]
        self.lot_of = [0] * n_units
        self.spend = [0] * n_suppliers
        for n, (units, s) in enumerate(awards):
            self.winner[n], self.members[n] = s, set(units)
            self.lots_of[s].add(n)
            mask = -1
            for u in units:
                self.lot_of[u] = n
                mask &= cover[u]
                self.spend[s] += price[u][s]
            self.bidders[n] = mask
        self.serial = len(awards)
        self.total = sum(self.spend)
        self.value = awards_value(c, awards)
        self.lots = list(self.winner)  # the lots drawn from by re-award and merge, refreshed now and then

    def awards(self) -> Awards:
        """The solution as it stands."""
        return [(sorted(self.members[n]), self.winner[n]) for n in self.winner]

    def share_ok(self, new_total: int, changed: dict[int, int]) -> bool:
        """Whether every supplier keeps within its share with the total at `new_total` and `changed`'s spend."""
        if self.c.share is None:
            return True
        limit, den, spend = self.share_num * new_total, self.share_den, self.spend
        if any(amount * den > limit for amount in changed.values()):
            return False
        # a smaller total raises everyone's share
        return new_total >= self.total or all(
            spend[s] * den <= limit for s in range(self.n_suppliers) if s not in changed
        )

    def enough(self, mask: int) -> bool:
        """Whether bit set `mask` holds enough bidders for a lot."""
        return mask.bit_count() >= self.need

    def pick(self, mask: int) -> int:
        """A supplier of bit set `mask` (not empty), at random."""
        skip = self.rng.randrange(mask.bit_count())
        for _ in range(skip):
            mask &= mask - 1
        return (mask & -mask).bit_length() - 1

    def relocate(self) -> _Change | None:
        """Unit u from lot a to lot b (None: a new lot) of supplier t."""
        rng, lot_of, winner, members = self.rng, self.lot_of, self.winner, self.members
        u = rng.randrange(self.n_units)
        a = lot_of[u]
        s = winner[a]
        alone = len(members[a]) == 1
        adjacent = self.adjacent[u]
        prices = self.price[u]
        b: int | None
        if adjacent and rng.random() < 0.5:
            b = lot_of[rng.choice(adjacent)[0]]
            t = winner[b]
            if b == a or t not in prices:
                return None
        else:
            lots_of = self.lots_of
            t = rng.choice(self.offers[u])
            room = len(lots_of[t]) - (alone and t == s) < self.per_supplier
            if lots_of[t] and (rng.random() < 0.7 or not room):
                b = rng.choice(tuple(lots_of[t]))
                if b == a:
                    return None
            else:
                b = None
                if (
                    (alone and t == s)
                    or not room
                    or not self.enough(self.cover[u])
                    or len(winner) - alone >= self.max_lots
                ):
                    return None
        if b is not None and (
            not self.enough(self.bidders[b] & self.cover[u]) or any(v in members[b] for v in self.apart[u])
        ):
            return None
        delta = prices[t] - prices[s] + self.lot_cost * ((b is None) - alone)
        for v, weight in adjacent:
            if lot_of[v] == a:
                delta += weight
            elif lot_of[v] == b:
                delta -= weight
        if delta > 0 and self.rng.random() >= math.exp(-delta / self.temperature):
            return None
        spend = self.spend
        changed = {s: spend[s] - prices[s]}
        changed[t] = changed.get(t, spend[t]) + prices[t]
        new_total = self.total + prices[t] - prices[s]
        if not self.share_ok(new_total, changed):
            return None
        self._move(u, a, b, t, alone)
        return changed, new_total, delta

    def _move(self, u: int, a: int, b: int | None, t: int, alone: bool) -> None:
        """Unit u from lot a (removed if it held only u) to lot b, or to a new lot won by t when b is None."""
        members, bidders, cover = self.members, self.bidders, self.cover
        members[a].discard(u)
        if alone:
            s = self.winner.pop(a)
            del members[a], bidders[a]
            self.lots_of[s].discard(a)
        else:
            mask = -1
            for v in members[a]:
                mask &= cover[v]
            bidders[a] = mask
        if b is None:
            b, self.serial = self.serial, self.serial + 1
            self.winner[b], members[b], bidders[b] = t, {u}, cover[u]
            self.lots_of[t].add(b)
        else:
            members[b].add(u)
            bidders[b] &= cover[u]
        self.lot_of[u] = b

    def reaward(self) -> _Change | None:
        """Lot a to another of its bidders."""
        a = self.rng.choice(self.lots)
        if a not in self.winner:
            return None
        s = self.winner[a]
        others = self.bidders[a] & ~(1 << s)
        if not others:
            return None
        t = self.pick(others)
        if len(self.lots_of[t]) >= self.per_supplier:
            return None
        price, units = self.price, self.members[a]
        before = sum(price[u][s] for u in units)
        after = sum(price[u][t] for u in units)
        delta = after - before
        if delta > 0 and self.rng.random() >= math.exp(-delta / self.temperature):
            return None
        changed = {s: self.spend[s] - before, t: self.spend[t] + after}
        new_total = self.total + delta
        if not self.share_ok(new_total, changed):
            return None
        self.winner[a] = t
        self.lots_of[s].discard(a)
        self.lots_of[t].add(a)
        return changed, new_total, delta

    def swap(self) -> _Change | None:
        """Unit u of lot a with unit v of lot b, joined to u."""
        rng, price, cover, members, lot_of = self.rng, self.price, self.cover, self.members, self.lot_of
        u = rng.randrange(self.n_units)
        if not self.adjacent[u]:
            return None
        a, b = lot_of[u], lot_of[rng.choice(self.adjacent[u])[0]]
        if a == b:
            return None
        v = rng.choice(tuple(members[b]))
        s, t = self.winner[a], self.winner[b]
        if t not in price[u] or s not in price[v]:
            return None
        into_a, into_b = cover[v], cover[u]
        for x in members[a]:
            if x != u:
                into_a &= cover[x]
        for x in members[b]:
            if x != v:
                into_b &= cover[x]
        if not (self.enough(into_a) and self.enough(into_b)):
            return None
        apart = self.apart
        if any(x in members[b] and x != v for x in apart[u]) or any(x in members[a] and x != u for x in apart[v]):
            return None
        priced = price[u][t] - price[u][s] + price[v][s] - price[v][t]
        delta = priced
        for x, weight in self.adjacent[u]:
            if x != v:
                delta += weight if lot_of[x] == a else -weight if lot_of[x] == b else 0
        for x, weight in self.adjacent[v]:
            if x != u:
                delta += weight if lot_of[x] == b else -weight if lot_of[x] == a else 0
        if delta > 0 and self.rng.random() >= math.exp(-delta / self.temperature):
            return None
        spend = self.spend
        changed = (
            {s: spend[s]}
            if s == t
            else {
                s: spend[s] - price[u][s] + price[v][s],
                t: spend[t] + price[u][t] - price[v][t],
            }
        )
        new_total = self.total + priced
        if not self.share_ok(new_total, changed):
            return None
        members[a].discard(u)
        members[a].add(v)
        members[b].discard(v)
        members[b].add(u)
        lot_of[u], lot_of[v] = b, a
        self.bidders[a], self.bidders[b] = into_a, into_b
        return changed, new_total, delta

    def merge(self) -> _Change | None:
        """Lot b, joined to lot a, into a, won by supplier r."""
        rng, price, winner, members, lots_of, lot_of = (
            self.rng,
            self.price,
            self.winner,
            self.members,
            self.lots_of,
            self.lot_of,
        )
        a = rng.choice(self.lots)
        if a not in winner:
            return None
        u = rng.choice(tuple(members[a]))
        if not self.adjacent[u]:
            return None
        b = lot_of[rng.choice(self.adjacent[u])[0]]
        if b == a:
            return None
        mask = self.bidders[a] & self.bidders[b]
        apart = self.apart
        if not self.enough(mask) or any(apart[x] & members[b] for x in members[a] if apart[x]):
            return None
        s, t = winner[a], winner[b]
        r = self.pick(mask)
        if len(lots_of[r]) + 1 - (r == s) - (r == t) > self.per_supplier:
            return None
        before_a = sum(price[x][s] for x in members[a])
        before_b = sum(price[x][t] for x in members[b])
        after = sum(price[x][r] for x in members[a]) + sum(price[x][r] for x in members[b])
        priced = after - before_a - before_b
        delta = priced - self.lot_cost
        adjacent = self.adjacent
        for x in members[b]:
            for y, weight in adjacent[x]:
                if lot_of[y] == a:
                    delta -= weight
        if delta > 0 and self.rng.random() >= math.exp(-delta / self.temperature):
            return None
        spend = self.spend
        changed = {s: spend[s] - before_a}
        changed[t] = changed.get(t, spend[t]) - before_b
        changed[r] = changed.get(r, spend[r]) + after
        new_total = self.total + priced
        if not self.share_ok(new_total, changed):
            return None
        for x in members[b]:
            lot_of[x] = a
        members[a] |= members.pop(b)
        self.bidders[a] = mask
        del winner[b], self.bidders[b]
        lots_of[s].discard(a)
        lots_of[t].discard(b)
        winner[a] = r
        lots_of[r].add(a)
        return changed, new_total, delta
