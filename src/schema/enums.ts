import { registerEnumType } from 'type-graphql';
import { AttachmentPassword, Channel, ChannelPolicy, CommunicationStatus, ContractStatus, DeliveryStatus, Direction, EngagementKind, InteractionChannel, PreferenceSource, Priority } from '../domain';

/** The domain enums are the schema's enums: one definition, registered once per schema build. */
export function registerEnums(): void {
  registerEnumType(Channel, { name: 'Channel', description: 'A way to reach a customer.' });
  registerEnumType(ChannelPolicy, {
    name: 'ChannelPolicy',
    description: 'How the channels of a communication are chosen.',
    valuesConfig: {
      PREFERRED: { description: "The customer's preferred channel when consented and addressable, else the next of `channels` (default SMS → EMAIL → LETTER)." },
      ALL_CONSENTED: { description: 'Every consented, addressable channel the template supports; a letter only when no digital channel is usable.' },
      EXPLICIT: { description: 'Exactly the `channels` given, in that order as the fallback chain.' },
    },
  });
  registerEnumType(Priority, { name: 'Priority' });
  registerEnumType(ContractStatus, { name: 'ContractStatus' });
  registerEnumType(CommunicationStatus, { name: 'CommunicationStatus' });
  registerEnumType(DeliveryStatus, { name: 'DeliveryStatus' });
  registerEnumType(EngagementKind, { name: 'EngagementKind', description: 'What the recipient did with a delivery: each kind is recorded once per delivery.' });
  registerEnumType(InteractionChannel, { name: 'InteractionChannel', description: 'How a contact the gateway did not send took place.' });
  registerEnumType(Direction, { name: 'Direction', description: 'INBOUND: from the customer; OUTBOUND: to the customer.' });
  registerEnumType(PreferenceSource, { name: 'PreferenceSource', description: 'Where preference values come from.' });
  registerEnumType(AttachmentPassword, { name: 'AttachmentPassword', description: 'Where the password of an encrypted email attachment comes from.' });
}
