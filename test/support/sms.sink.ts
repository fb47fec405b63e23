import { startTwilioSink, type TwilioSink, type TwilioSinkOptions } from '../../backoffice/sinks/twilio.sink';

/**
 * A Twilio-compatible sink for a test that needs its own (a number the provider
 * rejects, callback timing, faults). Status callbacks come 100 ms apart, as from
 * the harness's own sink.
 */
export function startSmsSink(options: TwilioSinkOptions = {}): Promise<TwilioSink> {
  return startTwilioSink({ callbacks: { delayMs: 100 }, ...options });
}

/** What `startHarness({ env })` needs to send through `sink` instead of its own. */
export function twilioEnvOf(sink: TwilioSink): Record<string, string> {
  return { TWILIO_API_URL: sink.url, TWILIO_ACCOUNT_SID: sink.accountSid, TWILIO_AUTH_TOKEN: sink.authToken };
}
