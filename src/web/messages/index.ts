/**
 * Page texts in zh-CN (default) and English. `messages(lang)` returns the lookup for a language;
 * `format()` fills `{name}` placeholders (values are plain text; pages escape them when rendering).
 */
import { en } from './en.ts';
import { zhCN, type MessageId } from './zh-CN.ts';

export type { MessageId };
export type PageLang = 'zh-CN' | 'en';
export type Messages = Readonly<Record<MessageId, string>>;

export const PAGE_LANGS: readonly PageLang[] = ['zh-CN', 'en'];

export function messages(lang: PageLang): Messages {
  return lang === 'en' ? en : zhCN;
}

export function format(template: string, values: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** `t(lang)('home.qr.refresh', { seconds: 30 })` */
export function translator(lang: PageLang): (id: MessageId, values?: Readonly<Record<string, string | number>>) => string {
  const table = messages(lang);
  return (id, values) => format(table[id], values);
}
