import { randomUUID } from 'node:crypto';
import type { ChannelProvider } from '../channels/channel';
import type { ChannelModule } from '../channels/channel.module';
import type { Channel } from '../domain';
import type { ReplySender } from './inbound.service';

/** A channel one can answer on: its module (which shapes the reply) and its provider (which sends it). */
export interface ReplyChannel {
  readonly module: ChannelModule;
  readonly provider: ChannelProvider;
}

/**
 * Replies to inbound messages through the channel's own provider (the same
 * Twilio account and sender as outgoing messages). A reply is no delivery of a
 * communication: its id is a fresh `reply-…`, so a status callback about it
 * matches no delivery and is ignored.
 */
export function providerReplies(channels: Partial<Record<Channel, ReplyChannel>>): ReplySender {
  return {
    async send(channel, to, body) {
      const target = channels[channel];
      if (!target?.module.textReply) throw new Error(`reply: ${channel} takes no text replies here`);
      await target.provider.send({ channel, deliveryId: `reply-${randomUUID()}`, communicationId: '', customerId: '', documentId: null, content: target.module.textReply(to, body) });
    },
  };
}
