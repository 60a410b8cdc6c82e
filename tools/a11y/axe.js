#!/usr/bin/env node
// Runs axe-core (WCAG 2.1 A and AA, plus best practices) in headless Chromium against local HTML
// files, at a desktop width and at 320 CSS pixels, and checks what axe does not: keyboard focus
// is visible, the skip link comes first and shows when focused, the page reflows at 320 pixels
// without sideways scrolling, and it requests nothing but itself (data: URLs are inline).
// Prints one JSON object: {file: {width: [finding, ...]}}.
//
//   node tools/a11y/axe.js build/analytical-review.html [...]
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); nothing is downloaded, and the page
// may not make any request other than its own file. Exit status: 0 ran (findings or not), 2 usage,
// 1 the browser could not run.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const puppeteer = require("puppeteer-core");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const WIDTHS = [1280, 320];  // desktop; WCAG 1.4.10 reflow width
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// In the page: tab through every focusable element and report those without a visible focus
// indicator, and a skip link that stays off screen when focused.
async function focusFindings(page) {
  const findings = [];
  const count = await page.evaluate(() =>
    document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]").length);
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  for (let i = 0; i < count; i += 1) {
    await page.keyboard.press("Tab");
    const state = await page.evaluate((first) => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      const shadow = style.boxShadow && style.boxShadow !== "none";
      const box = el.getBoundingClientRect();
      const onScreen = box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 &&
        box.left < window.innerWidth;
      return { html: el.outerHTML.slice(0, 120), visible: outline || shadow, onScreen, first,
               skip: first && el.getAttribute("href") && el.getAttribute("href").startsWith("#") };
    }, i === 0);
    if (!state) break;
    if (!state.visible) {
      findings.push({ id: "focus-visible", impact: "serious",
        help: "Keyboard focus must be visible (WCAG 2.4.7)", nodes: [state.html] });
    }
    if (state.first && !(state.skip && state.onScreen)) {
      findings.push({ id: "skip-link", impact: "serious",
        help: "The first focusable element must be a skip link that is visible when focused (WCAG 2.4.1)",
        nodes: [state.html] });
    }
  }
  return findings;
}

async function main(files) {
  if (!files.length) {
    process.stderr.write("usage: node axe.js FILE.html [...]\n");
    process.exit(2);
  }
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "icat-axe-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, userDataDir: profile, pipe: true,
    args: [...FLAGS, `--user-data-dir=${profile}`], ignoreDefaultArgs: ["--enable-automation"],
  });
  const results = {};
  try {
    for (const file of files) {
      const url = "file://" + path.resolve(file);
      results[file] = {};
      for (const width of WIDTHS) {
        const page = await browser.newPage();
        await page.setViewport({ width, height: 900 });
        await page.setRequestInterception(true);
        const requests = [];
        page.on("request", (request) => {
          // The page itself, and what it carries inline (data: images), are not requests out.
          if (request.url() === url || request.url().startsWith("data:")) return request.continue();
          requests.push(request.url());
          return request.abort();
        });
        await page.goto(url, { waitUntil: "load" });
        await page.evaluate(axeSource);
        const axe = await page.evaluate(async (tags) => {
          const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags },
                                                          resultTypes: ["violations"] });
          return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " ")) }));
        }, TAGS);
        const findings = [...axe, ...(await focusFindings(page))];
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (overflow > 1) {
          findings.push({ id: "reflow", impact: "serious", help: "Content must reflow without " +
            "sideways scrolling (WCAG 1.4.10)", nodes: [`${overflow}px wider than the window`] });
        }
        for (const request of requests) {
          findings.push({ id: "external-request", impact: "serious",
            help: "The page must be self-contained", nodes: [request] });
        }
        results[file][width] = findings;
        await page.close();
      }
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(results, null, 1) + "\n");
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`axe.js: ${error && error.stack || error}\n`);
  process.exit(1);
});
