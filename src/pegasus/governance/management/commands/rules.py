from datetime import date, timedelta
from decimal import Decimal

from pegasus.core.bounds import MAX_MONEY
from pegasus.core.exceptions import InputError, OutOfBounds
from pegasus.core.management.commands._base import BadInput, PegasusCommand, parse_date, to_json
from pegasus.core.money import round_pennies
from pegasus.core.reading import decimal_in_bounds
from pegasus.governance import rules as r
from pegasus.procurement import law, modification

ONE_DAY = timedelta(days=1)


def _value(text: str, field: str = "--value") -> Decimal:
    """Pounds such as "£1,250,000.00", below a trillion, bounded before they are rounded to pennies."""
    amount = text.strip().replace("£", "")
    try:
        return round_pennies(decimal_in_bounds(amount, field, lo=-MAX_MONEY, hi=MAX_MONEY, what="an amount in pounds"))
    except OutOfBounds as exc:
        raise BadInput(str(exc)) from None


class Command(PegasusCommand):
    help = "The rules of the law and the scheme of delegation: threshold, approver, standstill, modification."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="rule", required=True)
        threshold = sub.add_parser("threshold", help="is an estimated value above the procurement threshold?")
        threshold.add_argument("--date", required=True)
        threshold.add_argument("--authority", required=True, choices=[a.value for a in law.Authority])
        threshold.add_argument("--contract-type", required=True, choices=[c.value for c in law.ContractType])
        threshold.add_argument("--value", required=True, help="estimated value in pounds, excluding VAT")
        threshold.add_argument("--json", action="store_true")
        approver = sub.add_parser("approver", help="who the scheme of delegation names to approve a decision")
        approver.add_argument("--decision-type", required=True, choices=[d.value for d in r.DecisionType])
        approver.add_argument("--value", required=True)
        approver.add_argument("--date", required=True)
        approver.add_argument("--json", action="store_true")
        standstill = sub.add_parser("standstill", help="the last day of the standstill period")
        standstill.add_argument("--regime", required=True, choices=[g.value for g in law.Regime])
        standstill.add_argument("--date", required=True, help="award notice sent (PCR 2015) or published (PA 2023)")
        standstill.add_argument("--means", choices=[m.value for m in law.NoticeMeans], default="electronic")
        standstill.add_argument("--json", action="store_true")
        change = sub.add_parser("modification", help="may a contract be changed on a ground, and with which notice?")
        change.add_argument("--regime", required=True, choices=[g.value for g in law.Regime])
        change.add_argument("--authority", required=True, choices=[a.value for a in law.Authority])
        change.add_argument("--contract-type", required=True, choices=[c.value for c in law.ContractType])
        change.add_argument("--date", required=True, help="the day of the change")
        change.add_argument("--original-value", required=True, help="the contract's value as awarded, excluding VAT")
        change.add_argument("--change-value", required=True, help="this change, excluding VAT; negative reduces")
        change.add_argument(
            "--prior-value", default="0", help="net value of earlier changes on the same ground, excluding VAT"
        )
        change.add_argument(
            "--ground",
            required=True,
            help="PCR2015: "
            + ", ".join(modification.GROUNDS[law.Regime.PCR2015])
            + "; PA2023: "
            + ", ".join(modification.GROUNDS[law.Regime.PA2023]),
        )
        change.add_argument(
            "--legal-rationale", action="store_true", help="legal's rationale for a non-substantial change is recorded"
        )
        change.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        day = parse_date(options["date"], "--date")
        try:
            result = getattr(self, options["rule"])(day, options)
        except InputError as exc:  # the scheme's or the law's
            raise BadInput(str(exc)) from None
        if options["json"]:
            self.stdout.write(to_json(result))
        else:
            self.stdout.write("\n".join(f"{k}: {v}" for k, v in result.items()))

    def threshold(self, day: date, options) -> dict:
        check = law.threshold_check(
            day=day,
            authority=law.Authority(options["authority"]),
            contract_type=law.ContractType(options["contract_type"]),
            value_net=_value(options["value"]),
        )
        return {
            "regime": check.regime.value,
            "threshold": f"{check.threshold:.2f}",
            "vat_basis": check.vat_basis.value,
            "compared_value": f"{check.compared_value:.2f}",
            "above_threshold": check.above_threshold,
            "period": {"from": check.period.start, "to": check.period.end},
            "source": check.period.source,
        }

    def approver(self, day: date, options) -> dict:
        approval = r.approver_for(
            decision_type=r.DecisionType(options["decision_type"]), value=_value(options["value"]), day=day
        )
        return {"approver": approval.approver, "clause": approval.clause, "scheme": approval.scheme}

    def standstill(self, day: date, options) -> dict:
        regime = law.Regime(options["regime"])
        end = law.standstill_end(regime, day, law.NoticeMeans(options["means"]))
        return {"regime": regime.value, "from": day, "standstill_ends": end, "earliest_contract_date": end + ONE_DAY}

    def modification(self, day: date, options) -> dict:
        regime = law.Regime(options["regime"])
        change = modification.Change(
            authority=law.Authority(options["authority"]),
            contract_type=law.ContractType(options["contract_type"]),
            day=day,
            original_value=_value(options["original_value"], "--original-value"),
            change_value=_value(options["change_value"], "--change-value"),
            prior_value=_value(options["prior_value"], "--prior-value"),
            legal_rationale=options["legal_rationale"],
        )
        return modification.modification_check(regime, change, options["ground"]).as_dict()
