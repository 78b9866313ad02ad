from pegasus.core.management.commands._base import PegasusCommand, to_json
from pegasus.core.roles import Role
from pegasus.estate.demo import DEMO_PASSWORD, DEMO_USERS, demo_load
from pegasus.evaluation.demo import SECOND_EVALUATOR, evaluation_demo_load
from pegasus.finance.demo import finance_demo_load
from pegasus.governance.demo import decision_concerns_demo_load, decisions_demo_load
from pegasus.performance.demo import performance_demo_load
from pegasus.procurement.demo import procurements_demo_load
from pegasus.programme.demo import programme_demo_load
from pegasus.publication.demo import market_demo_load, notices_demo_load
from pegasus.sourcing.demo import sourcing_demo_load


class Command(PegasusCommand):
    help = (
        "Load the demonstration of PCD 579 (May 2019): the estate, the decision, the programme and its money."
        " Twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print what was created as JSON")
        parser.add_argument("--if-empty", action="store_true", help="load only into an empty database")

    def handle(self, *args, **options):
        from pegasus.estate.selectors import contracts_exist

        if options["if_empty"] and contracts_exist():
            created = {}
        else:
            created = demo_load()
            created |= decisions_demo_load()
            created |= sourcing_demo_load()
            created |= performance_demo_load()
            created |= procurements_demo_load()
            created |= decision_concerns_demo_load()  # again once the procurements PCD 579 concerns exist
            created |= evaluation_demo_load()  # after the procurements: the tender is for one of them
            created |= market_demo_load()
            created |= finance_demo_load()  # the award is of a demo procurement
            created |= notices_demo_load()  # of the estate's changes and the performance figures
            created |= programme_demo_load()  # last: it links the business cases, milestones and risks to all of it
        if options["json"]:
            self.stdout.write(to_json({"created": created}))
            return
        made = ", ".join(f"{n} {kind}" for kind, n in created.items() if n) or "nothing new"
        self.stdout.write(f"Demo loaded ({made}).")
        self.stdout.write(f"Demo sign-ins (demo only), password {DEMO_PASSWORD!r}:")
        # The tender's second evaluator is made with the tender, not with the estate's users.
        for username, role, _ in [*DEMO_USERS, (SECOND_EVALUATOR[0], Role.EVALUATOR, SECOND_EVALUATOR[1])]:
            self.stdout.write(f"  {username:<12} {role.label}")
