// Compiles the project's SCSS with GOV.UK Frontend and copies the browser assets
// into static/dist/ (generated, never committed). Run by `npm run build`.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, "static", "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "css"), { recursive: true });
mkdirSync(join(dist, "js"), { recursive: true });

const result = sass.compile(join(root, "static", "scss", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div"],
});
writeFileSync(join(dist, "css", "app.css"), result.css);

cpSync(join(govuk, "assets"), join(dist, "govuk", "assets"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(dist, "js", "govuk-frontend.min.js"));
cpSync(join(root, "node_modules", "htmx.org", "dist", "htmx.min.js"), join(dist, "js", "htmx.min.js"));
// The project's own scripts (app.js and the modules it imports), never inline in a page.
cpSync(join(root, "static", "js"), join(dist, "js"), { recursive: true });
cpSync(join(root, "static", "images"), join(dist, "images"), { recursive: true });
console.log(`static/dist built (${result.css.length} bytes of CSS)`);
