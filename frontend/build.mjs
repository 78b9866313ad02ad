// Copies the pinned npm front-end packages into build/frontend (or the folder given as the first argument) for
// Django's staticfiles, and compiles the Pegasus stylesheet (GOV.UK Frontend with the Arial font stack).
// Run by `make static`.
//
// In production `collectstatic` stores every file under a hashed name and rewrites the references between them
// (a script's `sourceMappingURL`, a stylesheet's `url(...)`); one reference to a file that is not here fails it,
// and without its manifest every page answers 500. So a script is copied with the source map its package ships,
// the reference is removed where the package ships none (vega), and the build checks every reference it leaves.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join, posix } from "node:path";

const out = process.argv[2] || "build/frontend";
mkdirSync(`${out}/js`, { recursive: true });
mkdirSync(`${out}/css`, { recursive: true });
const copy = (from, to) => cpSync(`node_modules/${from}`, `${out}/${to}`, { recursive: true });
const SOURCE_MAP = /\n?\/\/# sourceMappingURL=(\S+)\s*$/;

function copyScript(from, to) {
  let text = readFileSync(`node_modules/${from}`, "utf8");
  const reference = text.match(SOURCE_MAP);
  if (reference) {
    const map = join(dirname(`node_modules/${from}`), reference[1]);
    if (existsSync(map)) {
      cpSync(map, join(dirname(`${out}/${to}`), reference[1]));
    } else {
      text = text.replace(SOURCE_MAP, "\n");
    }
  }
  writeFileSync(`${out}/${to}`, text);
}

copy("govuk-frontend/dist/govuk/assets/images", "govuk/assets/images");
copy("govuk-frontend/dist/govuk/assets/manifest.json", "govuk/assets/manifest.json");
copyScript("govuk-frontend/dist/govuk/govuk-frontend.min.js", "js/govuk-frontend.min.js");
copyScript("htmx.org/dist/htmx.min.js", "js/htmx.min.js");
copyScript("vega/build/vega.min.js", "js/vega.min.js");
copyScript("vega-lite/build/vega-lite.min.js", "js/vega-lite.min.js");
copyScript("vega-embed/build/vega-embed.min.js", "js/vega-embed.min.js");
copyScript("axe-core/axe.min.js", "js/axe.min.js");
execFileSync("node_modules/.bin/sass", [
  "--load-path=node_modules", "--style=compressed", "--no-source-map", "--quiet-deps", "--silence-deprecation=import",
  "frontend/pegasus.scss", `${out}/css/pegasus.css`,
], { stdio: "inherit" });

// Every reference left in a script or stylesheet must name a file in the build, as collectstatic will demand.
function* files(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}
const missing = [];
for (const path of files(out)) {
  const references = [];
  if (path.endsWith(".js") || path.endsWith(".css")) {
    const map = readFileSync(path, "utf8").match(/\/[/*]# sourceMappingURL=([^\s*]+)/);
    if (map) references.push(map[1]);
  }
  if (path.endsWith(".css")) {
    for (const [, url] of readFileSync(path, "utf8").matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
      references.push(url);
    }
  }
  for (const reference of references) {
    if (/^(data:|#|[a-z]+:\/\/|\/\/)/i.test(reference)) continue;
    if (reference.startsWith("/")) {
      missing.push(`${path}: ${reference} is an absolute path; refer to static files relatively`);
      continue;
    }
    const target = posix.normalize(posix.join(posix.dirname(path), reference.split(/[?#]/)[0]));
    if (!existsSync(target)) missing.push(`${path}: ${reference} is not in the build`);
  }
}
if (missing.length) {
  console.error(`frontend/build.mjs: ${missing.length} reference(s) would fail collectstatic:\n${missing.join("\n")}`);
  process.exit(1);
}
writeFileSync(`${out}/BUILT`, new Date().toISOString() + "\n");
