/**
 * One language rule on every surface — the netid app's pages, the OIDC sign-in pages and API
 * errors: the person's explicit choice (the language cookie the switch and settings set), then the
 * browser's Accept-Language, then zh-CN. And the small page wording that goes with a language.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { preferredLocale } from '../../src/http/error-mapper.ts';
import { homePage } from '../../src/web/pages.ts';
import { startOidcNode, type OidcTestNode } from '../oidc/support.ts';

describe('the language rule', () => {
  it('takes the choice, then the most preferred language netid speaks, then zh-CN', () => {
    assert.equal(preferredLocale('en', 'zh-CN'), 'en');
    assert.equal(preferredLocale('zh-CN', 'en-GB,en;q=0.9'), 'zh-CN');
    assert.equal(preferredLocale(undefined, 'en-US,en;q=0.9,zh-CN;q=0.8'), 'en');
    assert.equal(preferredLocale(undefined, 'fr-FR, zh;q=0.4, en;q=0.7'), 'en');
    assert.equal(preferredLocale(undefined, 'zh-TW,zh;q=0.9,en;q=0.8'), 'zh-CN');
    assert.equal(preferredLocale(undefined, 'fr, de'), 'zh-CN');
    assert.equal(preferredLocale(undefined, 'en;q=0'), 'zh-CN');
    assert.equal(preferredLocale('xx', undefined), 'zh-CN');
  });

  describe('across the app pages, the OIDC pages and API errors', () => {
    let t: OidcTestNode;
    before(async () => {
      t = await startOidcNode();
    });
    after(async () => t?.close());

    const surfaces = async (headers: Record<string, string>) => {
      const page = await (await fetch(`${t.issuer}/signin`, { headers })).text();
      const oidc = await (await fetch(`${t.issuer}/oidc/interaction/no-such-interaction`, { headers })).text();
      const api = (await (await fetch(`${t.issuer}/api/v1/me/apps`, { headers })).json()) as { error: string; message: string };
      const lang = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];
      return { page: lang(page), oidc: lang(oidc), api: /[\u4e00-\u9fff]/.test(api.message) ? 'zh-CN' : 'en' };
    };

    it('follows the browser without a choice, the choice over the browser, and zh-CN without either', async () => {
      assert.deepEqual(await surfaces({ 'accept-language': 'en-GB,en;q=0.9' }), { page: 'en', oidc: 'en', api: 'en' });
      assert.deepEqual(await surfaces({ 'accept-language': 'en-GB,en;q=0.9', cookie: 'netid_lang=zh-CN' }), { page: 'zh-CN', oidc: 'zh-CN', api: 'zh-CN' });
      assert.deepEqual(await surfaces({ 'accept-language': 'zh-CN', cookie: 'netid_lang=en' }), { page: 'en', oidc: 'en', api: 'en' });
      assert.deepEqual(await surfaces({}), { page: 'zh-CN', oidc: 'zh-CN', api: 'zh-CN' });
    });

    it('names every passkey failure in the page language on pages with scripts', async () => {
      for (const [lang, expected] of [['en', /cancelled or timed out/], ['zh-CN', /已取消或超时/]] as const) {
        const html = await (await fetch(`${t.issuer}/signin`, { headers: { 'accept-language': lang } })).text();
        const attribute = /data-passkey-errors="([^"]+)"/.exec(html)?.[1];
        assert.ok(attribute, 'the messages ride on <body>');
        const table = JSON.parse(attribute.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')) as Record<string, string>;
        assert.match(table.NotAllowedError!, expected);
        for (const name of ['AbortError', 'InvalidStateError', 'SecurityError', 'NotSupportedError', 'other']) assert.ok(table[name], name);
      }
    });
  });
});

describe('the home page', () => {
  it('names a passkey without a name by the day it was added, not by a number', () => {
    const device = { id: 'd1', label: null, createdAt: new Date('2026-03-05T04:00:00Z'), lastUsedAt: null };
    const en = homePage({ lang: 'en', path: '/' }, { webNumber: 'W123', devices: [device], certificate: null });
    assert.match(en, /Passkey added on 5 March 2026/);
    assert.doesNotMatch(en, />#1</);
    const zh = homePage({ lang: 'zh-CN', path: '/' }, { webNumber: 'W123', devices: [device], certificate: null });
    assert.match(zh, /2026年3月5日 添加的通行密钥/);
  });
});
