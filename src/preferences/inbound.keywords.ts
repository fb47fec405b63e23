/** What an inbound text asks for. */
export type InboundKind = 'STOP' | 'START' | 'HELP' | 'MESSAGE';

/** Opt-out words of the carriers' and Twilio's lists, plus French and German ones. */
const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'ARRET', 'ARRÊT', 'STOPP']);
const START = new Set(['START', 'UNSTOP', 'YES']);
const HELP = new Set(['HELP', 'AIDE', 'HILFE']);

/** A keyword is the whole message, trimmed and case-insensitive ("stop", " Stop! " is not one: anything else is a message). */
export function classifyInbound(body: string): InboundKind {
  const word = body.trim().toUpperCase();
  if (STOP.has(word)) return 'STOP';
  if (START.has(word)) return 'START';
  if (HELP.has(word)) return 'HELP';
  return 'MESSAGE';
}
