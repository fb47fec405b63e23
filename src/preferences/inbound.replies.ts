import type { InboundKind } from './inbound.keywords';

type Texts = Readonly<Record<'stopped' | 'started' | 'help' | 'unknown', (sender: string) => string>>;

/** Reply texts per language; English is the fallback. Short enough for one GSM segment each. */
const TEXTS: Readonly<Record<string, Texts>> = {
  en: {
    stopped: (s) => `${s}: you will receive no more messages on this number. Reply START to subscribe again.`,
    started: (s) => `${s}: you will receive our messages on this number again. Reply STOP to unsubscribe.`,
    help: (s) => `${s}: reply STOP to unsubscribe, START to subscribe again. For anything else, contact us in your customer portal.`,
    unknown: (s) => `${s}: we could not match this number to a customer. Reply STOP to receive no messages on it.`,
  },
  fr: {
    stopped: (s) => `${s} : vous ne recevrez plus de messages sur ce numéro. Répondez START pour vous réabonner.`,
    started: (s) => `${s} : vous recevrez de nouveau nos messages sur ce numéro. Répondez STOP pour vous désabonner.`,
    help: (s) => `${s} : répondez STOP pour vous désabonner, START pour vous réabonner. Pour toute autre demande, écrivez-nous depuis votre espace client.`,
    unknown: (s) => `${s} : ce numéro ne correspond à aucun client. Répondez STOP pour ne plus rien y recevoir.`,
  },
  de: {
    stopped: (s) => `${s}: Sie erhalten auf dieser Nummer keine Nachrichten mehr. Antworten Sie START, um sie wieder zu erhalten.`,
    started: (s) => `${s}: Sie erhalten unsere Nachrichten auf dieser Nummer wieder. Antworten Sie STOPP zum Abmelden.`,
    help: (s) => `${s}: Antworten Sie STOPP zum Abmelden, START zum erneuten Anmelden. Für alles andere schreiben Sie uns im Kundenportal.`,
    unknown: (s) => `${s}: Diese Nummer gehört zu keinem Kunden. Antworten Sie STOPP, um hier nichts mehr zu erhalten.`,
  },
};

/**
 * The reply to an inbound message, or null for none: a keyword is confirmed
 * (STOP, START) or answered (HELP) in the customer's language; an unknown
 * number gets a reply whatever it sent; other text from a customer is kept and
 * not answered automatically.
 */
export function replyTo(kind: InboundKind, known: boolean, language: string, sender: string): string | null {
  const texts = TEXTS[language] ?? TEXTS.en;
  switch (kind) {
    case 'STOP':
      return texts.stopped(sender);
    case 'START':
      return known ? texts.started(sender) : texts.unknown(sender);
    case 'HELP':
      return texts.help(sender);
    case 'MESSAGE':
      return known ? null : texts.unknown(sender);
  }
}
