#!/usr/bin/env node
// Lays the report's web page out in headless Chromium at the widths given and prints what the
// layout tests (tests/test_html_layout.py) check, as one JSON object {width: {...}}:
//   broken:   words split across two lines (a word may break after a hyphen or a slash; a
//             token of more than 30 characters, an address, may break anywhere);
//   overflow: elements wider than the window, outside a frame that scrolls sideways;
//   scrollX:  whether the page itself scrolls sideways;
//   colours:  the computed top border colour of each key area's gaps and recommendations panel;
//   print:    the same panels' colours and what is hidden, with the print stylesheet applied.
//
//   node tools/a11y/layout.js FILE.html 390 1280
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM), as for axe.js.
"use strict";

const path = require("path");
const puppeteer = require("puppeteer-core");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function inPage() {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("style, script") || !parent.offsetParent && getComputedStyle(parent).position !== "fixed") continue;
    const text = node.textContent;
    const re = /[^\s\-\/\u2013\u2014]+[\-\/\u2013\u2014]?/g;
    let m;
    while ((m = re.exec(text)) !== null) {
      const word = m[0].replace(/[\-\/\u2013\u2014]$/, "");
      if (word.length < 2 || word.length > 30) continue;
      range.setStart(node, m.index);
      range.setEnd(node, m.index + word.length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(word);
    }
  }
  const width = document.documentElement.clientWidth;
  const overflow = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let frame = el.parentElement, scrolled = false;
    for (; frame && frame !== document.body; frame = frame.parentElement) {
      const style = getComputedStyle(frame);
      if (["auto", "scroll"].includes(style.overflowX) && frame.getBoundingClientRect().right <= width + 1) { scrolled = true; break; }
    }
    if (!scrolled && !el.closest(".skip-link")) overflow.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
  }
  const colour = (sel) => [...document.querySelectorAll(sel)].map((el) => getComputedStyle(el).borderTopColor);
  const colours = { gaps: colour(".pair > .gaps"), recommendations: colour(".pair > .recommendations") };
  return { broken, overflow: [...new Set(overflow)], scrollX: document.documentElement.scrollWidth > width + 1, colours };
}

function printed() {
  const colour = (sel) => [...document.querySelectorAll(sel)].map((el) => getComputedStyle(el.querySelector("h4") || el).borderTopColor);
  const hidden = (sel) => [...document.querySelectorAll(sel)].every((el) => getComputedStyle(el).display === "none");
  return { gaps: colour(".pair > .gaps"), recommendations: colour(".pair > .recommendations"),
           skipHidden: hidden(".skip-link"), fnBackHidden: hidden(".fn-back") };
}

async function main() {
  const [file, ...widths] = process.argv.slice(2);
  if (!file || !widths.length) { console.error("usage: layout.js FILE.html WIDTH [WIDTH ...]"); process.exit(2); }
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const out = {};
  try {
    const page = await browser.newPage();
    for (const w of widths) {
      await page.setViewport({ width: Number(w), height: 900 });
      await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
      out[w] = await page.evaluate(inPage);
    }
    await page.emulateMediaType("print");
    out.print = await page.evaluate(printed);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => { console.error(String(error)); process.exit(1); });
