// Shared by the browser specs: the portal's Dutch texts, facts on a page, dates as the portal
// shows them, and signing a downloaded order document with a demo user's certificate.
import { execFileSync } from 'node:child_process';
import { expect } from '@playwright/test';
import { message } from './orders.mjs';

/** TEXT with the characters that mean something in a regular expression escaped. */
export const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The Dutch text of KEY with {name} placeholders from VALUES: t('order.status.issued') ->
 * "Uitgegeven". t.pattern(KEY, VALUES) is the whole text as a pattern in which placeholders not
 * in VALUES match anything.
 */
export function t(key, values = {}) {
  return message(key).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
t.pattern = (key, values = {}) => new RegExp(`^${message(key).split(/(\{\w+\})/).map((part) => {
  const name = part.match(/^\{(\w+)\}$/)?.[1];
  if (!name) return escape(part);
  return name in values ? escape(String(values[name])) : '.+';
}).join('')}$`);

/** The value (<dd>) of the fact labelled LABEL (<dt>) in the facts list of the page. */
export function fact(page, label) {
  return page.getByRole('main').locator('dl dt').filter({ hasText: new RegExp(`^\\s*${escape(label)}\\s*$`) })
    .locator('xpath=following-sibling::dd[1]');
}

/** An API timestamp (RFC 3339) as the portal shows dates: DD-MM-YYYY of the UTC day (core::toDutchDate). */
export function dutchDate(timestamp) {
  const day = new Date(timestamp);
  expect(Number.isNaN(day.getTime()), `timestamp ${timestamp}`).toBe(false);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(day.getUTCDate())}-${two(day.getUTCMonth() + 1)}-${day.getUTCFullYear()}`;
}

/** A detached CMS signature (DER) over the file DOCUMENTPATH with the demo USER's certificate. */
export function signFile(user, documentPath, signaturePath) {
  execFileSync('openssl', ['cms', '-sign', '-binary', '-in', documentPath, '-signer', user.certPath,
    '-inkey', user.keyPath, '-outform', 'DER', '-out', signaturePath], { stdio: ['ignore', 'pipe', 'pipe'] });
  return signaturePath;
}
