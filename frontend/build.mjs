// Copies the pinned npm front-end packages into build/frontend for Django's staticfiles, and compiles the
// Pegasus stylesheet (GOV.UK Frontend with the Arial font stack). Run by `make static`.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const out = "build/frontend";
mkdirSync(`${out}/js`, { recursive: true });
mkdirSync(`${out}/css`, { recursive: true });
const copy = (from, to) => cpSync(`node_modules/${from}`, `${out}/${to}`, { recursive: true });
copy("govuk-frontend/dist/govuk/assets/images", "govuk/assets/images");
copy("govuk-frontend/dist/govuk/assets/manifest.json", "govuk/assets/manifest.json");
copy("govuk-frontend/dist/govuk/govuk-frontend.min.js", "js/govuk-frontend.min.js");
copy("htmx.org/dist/htmx.min.js", "js/htmx.min.js");
copy("vega/build/vega.min.js", "js/vega.min.js");
copy("vega-lite/build/vega-lite.min.js", "js/vega-lite.min.js");
copy("vega-embed/build/vega-embed.min.js", "js/vega-embed.min.js");
copy("axe-core/axe.min.js", "js/axe.min.js");
execFileSync("node_modules/.bin/sass", [
  "--load-path=node_modules", "--style=compressed", "--no-source-map", "--quiet-deps", "--silence-deprecation=import",
  "frontend/pegasus.scss", `${out}/css/pegasus.css`,
], { stdio: "inherit" });
writeFileSync(`${out}/BUILT`, new Date().toISOString() + "\n");
