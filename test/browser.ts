/**
 * Debian's Chromium for the tests that look at pages as a person would: skipped, saying what is missing,
 * where it is not installed; screenshots into test-results/web-ui/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../tools/stack/toolchain';

const chromiumPath = '/usr/bin/chromium';
const screenshots = join(projectRoot, 'test-results', 'web-ui');

/** Skips the suite of `context` (a mocha `before`) when Chromium is not installed. */
export function skipWithoutChromium(context: Mocha.Context): void {
  if (existsSync(chromiumPath)) return;
  // scripts/setup.sh installs it where it may; anywhere else this says what is missing.
  console.warn(
    `    skipped: no Chromium at ${chromiumPath}; install Debian's chromium package ` +
      '(`sudo apt-get install --no-install-recommends chromium`, which `bash scripts/setup.sh` does as root)',
  );
  context.skip();
}

/** Launches headless Chromium. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath, headless: true });
}

/** Saves a screenshot of the whole page as `name` under test-results/web-ui/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshots, name), fullPage: true });
}
