import { ConfigError, type ConfigEnv } from '../config.env';
import type { Channel, CustomerRecord } from '../domain';
import type { ChannelModule } from './channel.module';
import { emailChannel } from './email/email.module';
import { letterChannel } from './letter/letter.module';
import { portalChannel } from './portal/portal.module';
import { smsChannel } from './sms/sms.module';
import { webhookChannel } from './webhook/webhook.module';
import { whatsappChannel } from './whatsapp/whatsapp.module';

/**
 * The channels this gateway speaks, in the order plans list them where no
 * policy sets one (the `Channel` enum's order). Adding a channel: its folder,
 * one line here, the `Channel` enum value and its template texts
 * (src/channels/README.md).
 */
export function builtInChannels(): readonly ChannelModule[] {
  return [emailChannel(), smsChannel(), letterChannel(), portalChannel(), whatsappChannel(), webhookChannel()];
}

/** Queue of a channel's deliver jobs: `deliver-<key>` (the module key is the channel id in lower case). */
export function deliverQueueName(channel: Channel | string): string {
  return `deliver-${channel.toLowerCase()}`;
}

/** The channel modules of one gateway, looked up by id; built once in the composition root. */
export class ChannelRegistry {
  private readonly byId: ReadonlyMap<Channel, ChannelModule>;

  constructor(readonly modules: readonly ChannelModule[] = builtInChannels()) {
    const byId = new Map<Channel, ChannelModule>();
    for (const module of modules) {
      if (byId.has(module.id)) throw new Error(`channel registry: expected each channel once, got ${module.id} twice`);
      if (module.key !== module.id.toLowerCase()) throw new Error(`channel ${module.id}: expected key ${JSON.stringify(module.id.toLowerCase())}, got ${JSON.stringify(module.key)}`);
      byId.set(module.id, module);
    }
    this.byId = byId;
  }

  get ids(): readonly Channel[] {
    return this.modules.map((m) => m.id);
  }

  has(channel: string): channel is Channel {
    return this.byId.has(channel as Channel);
  }

  get(channel: Channel): ChannelModule {
    const module = this.byId.get(channel);
    if (!module) throw new Error(`channel ${channel}: expected a registered channel module, got none`);
    return module;
  }

  /** Digital channels in registry order: what ALL_CONSENTED plans, and what paperless prefers. */
  digital(): readonly Channel[] {
    return this.modules.filter((m) => m.medium === 'digital').map((m) => m.id);
  }

  paper(): readonly Channel[] {
    return this.modules.filter((m) => m.medium === 'paper').map((m) => m.id);
  }

  deliverQueues(): readonly string[] {
    return this.modules.map((m) => deliverQueueName(m.id));
  }

  /** The timeline's recipient text for a delivery on `channel`. */
  recipientOf(channel: Channel, customer: CustomerRecord): string | null {
    const module = this.get(channel);
    return module.recipient ? module.recipient(customer) : module.address(customer);
  }

  /** Why `channel` cannot reach this customer (no address, no consent), or null when it can. */
  whyUnreachable(channel: Channel, customer: CustomerRecord): string | null {
    const module = this.get(channel);
    if (module.address(customer) === null) return module.missingAddress;
    if (module.consent === 'required' && !customer.consents.includes(channel)) return `needs the customer's consent to ${channel}, which is missing`;
    return null;
  }

  /** Each module's settings from the environment, by channel; a bad value stops the start like any other. */
  parseSettings(env: ConfigEnv): ReadonlyMap<Channel, unknown> {
    const settings = new Map<Channel, unknown>();
    for (const module of this.modules) {
      if (!module.settings) continue;
      try {
        settings.set(module.id, module.settings(env));
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        throw new Error(`channel ${module.id}: ${(error as Error).message}`);
      }
    }
    return settings;
  }
}
