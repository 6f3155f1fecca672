// Fixtures for the browser suite: `portal` (the server of the global setup), `loginAs(name)` (a
// page in a fresh browser context that presents NAME's client certificate) and `expectAccessible`.
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect } from '@playwright/test';

export { expect };

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function browserServer() {
  const json = process.env.MIJNCERT_BROWSER_SERVER;
  if (!json) throw new Error('MIJNCERT_BROWSER_SERVER is not set: run through playwright.config.mjs (global setup)');
  return JSON.parse(json);
}

/** Readable lines for axe violations, so that a failure says what to fix where. */
export function describeViolations(violations) {
  return violations.flatMap((violation) => [
    `[${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})`,
    ...violation.nodes.map((node) => `    at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\n/g, ' ')}`),
  ]).join('\n');
}

export const test = base.extend({
  portal: async ({}, use) => {
    await use(browserServer());
  },

  loginAs: async ({ browser, portal }, use) => {
    const contexts = [];
    await use(async (identity) => {
      const user = identity ? portal.demo.users[identity] : null;
      const context = await browser.newContext({
        ignoreHTTPSErrors: true,
        clientCertificates: user ? [{ origin: portal.origin, certPath: user.certPath, keyPath: user.keyPath }] : [],
      });
      contexts.push(context);
      return context.newPage();
    });
    for (const context of contexts) await context.close();
  },

  expectAccessible: async ({}, use, testInfo) => {
    await use(async (page, what) => {
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      if (results.violations.length > 0) {
        const report = describeViolations(results.violations);
        console.log(`axe violations on ${what} (${page.url()}):\n${report}`);
        await testInfo.attach(`axe-${what}`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
      }
      expect(results.violations.map((v) => `${v.id} (${v.nodes.length}×)`), `axe WCAG 2.1 AA violations on ${what}`).toEqual([]);
    });
  },
});
