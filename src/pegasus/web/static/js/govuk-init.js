// Starts every GOV.UK Frontend component on the page. A module file beside govuk-frontend.min.js rather than an
// inline script, so that the Content-Security-Policy allows scripts from Pegasus's own origin only.
import { initAll } from "./govuk-frontend.min.js";

initAll();
