import type { TwilioSink } from '../../backoffice/sinks/twilio.sink';
import type { Role } from '../../src/runtime/gateway';
import { startHarness, type Harness } from '../support/gateway.harness';
import { startSmsSink, twilioEnvOf } from '../support/sms.sink';
import { startRestartableSmtpSink, type RestartableSmtpSink } from './smtp.restartable';

export interface FaultGateway {
  readonly h: Harness;
  /** The SMTP sink the gateway sends through; a fault suite may stop and restart it. */
  readonly smtp: RestartableSmtpSink;
  /** The Twilio-compatible sink the gateway sends through; a fault suite may make it answer 429/503. */
  readonly sms: TwilioSink;
  /** Gateway first, then the sinks. */
  close(): Promise<void>;
}

/** The gateway under test, sending through sinks the fault suites control. */
export async function startFaultGateway(options: { readonly role: Role; readonly databaseUrl: string; readonly env?: Record<string, string> }): Promise<FaultGateway> {
  const smtp = await startRestartableSmtpSink();
  const sms = await startSmsSink();
  const closeSinks = async (): Promise<void> => {
    await Promise.all([smtp.close(), sms.close()]);
  };
  try {
    const h = await startHarness({ role: options.role, databaseUrl: options.databaseUrl, env: { ...options.env, SMTP_URL: smtp.url, ...twilioEnvOf(sms) } });
    return {
      h,
      smtp,
      sms,
      close: async () => {
        await h.close();
        await closeSinks();
      },
    };
  } catch (error) {
    await closeSinks();
    throw error;
  }
}
