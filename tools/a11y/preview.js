#!/usr/bin/env node
// Drives the live preview (build.py preview) in Debian's headless Chromium: opens the page,
// scrolls the report, then edits a content file EDITS times, each time replacing the text OLD
// (say, a recommendation) with a new sentence, and waits until the report shows it (reloaded
// through the page's event stream) and the slides were swapped. Prints one JSON object:
// {html_ms: [...], slides_ms: [...], seen: [true, ...], scroll: [[before, after], ...]}.
//
//   node tools/a11y/preview.js URL FILE OLD [EDITS]
//
// Used by tests/test_preview.py (one edit) and bench/preview.py (ten). Exit status: 0 ran,
// 2 usage, 1 the browser could not run or a reload never came (within 60 s).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const puppeteer = require("puppeteer-core");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const WAIT = { timeout: 60000, polling: 10 };

const reportText = () => {
  const frame = document.querySelector("section.language .report iframe.current");
  return frame && frame.contentDocument && frame.contentDocument.body ? frame.contentDocument.body.innerText : "";
};

async function idle(page) {
  await page.waitForFunction(() => {
    const sec = document.querySelector("section.language");
    return sec && sec.querySelector("iframe.current") && Number(sec.dataset.slidesVersion) > 0 &&
      document.body.dataset.building === "";
  }, WAIT);
}

async function main([url, file, old, count = "1"]) {
  if (!url || !file || !old) {
    process.stderr.write("usage: node preview.js URL FILE OLD [EDITS]\n");
    process.exit(2);
  }
  const original = fs.readFileSync(file, "utf8");
  if (!original.includes(old)) throw new Error(`${file} does not hold ${JSON.stringify(old)}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "icat-preview-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, userDataDir: profile, pipe: true,
    args: [...FLAGS, `--user-data-dir=${profile}`], ignoreDefaultArgs: ["--enable-automation"],
  });
  const result = { html_ms: [], slides_ms: [], seen: [], scroll: [] };
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    await page.goto(url, { waitUntil: "load" });
    await idle(page);
    for (let i = 1; i <= Number(count); i += 1) {
      const marker = `Preview edit ${i} ${Date.now().toString(36)}`;
      const scrolled = await page.evaluate(() => {
        const w = document.querySelector("section.language .report iframe.current").contentWindow;
        w.scrollTo(0, 600);
        return w.scrollY;
      });
      const slides = await page.evaluate(() => Number(document.querySelector("section.language").dataset.slidesVersion));
      const started = performance.now();
      fs.writeFileSync(file, original.replace(old, marker));
      await page.waitForFunction(`(${reportText})().includes(${JSON.stringify(marker)})`, WAIT);
      result.html_ms.push(performance.now() - started);
      await page.waitForFunction((v) =>
        Number(document.querySelector("section.language").dataset.slidesVersion) > v, WAIT, slides);
      result.slides_ms.push(performance.now() - started);
      result.seen.push((await page.evaluate(reportText)).includes(marker));
      result.scroll.push([scrolled, await page.evaluate(() =>
        document.querySelector("section.language .report iframe.current").contentWindow.scrollY)]);
      await idle(page);
    }
  } finally {
    fs.writeFileSync(file, original);
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`preview.js: ${error && error.stack || error}\n`);
  process.exit(1);
});
