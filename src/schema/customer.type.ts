import { Field, ID, ObjectType } from 'type-graphql';
import { JSONScalar } from './scalars';
import { Channel, PreferenceSource } from '../domain';
import { Connection } from './page-info.type';
import { QuietHours } from './preferences.type';

@ObjectType({ description: 'ISO 3166 alpha-2 country; lines are street and additional lines, in order.' })
export class PostalAddress {
  @Field(() => [String])
  lines!: string[];

  @Field()
  postalCode!: string;

  @Field()
  city!: string;

  @Field({ description: 'ISO 3166-1 alpha-2' })
  country!: string;
}

@ObjectType()
export class CommunicationPreferences {
  @Field(() => Channel, { nullable: true })
  preferredChannel!: Channel | null;

  @Field(() => [Channel], { description: 'Channels the customer agreed to be contacted on. A letter needs no consent.' })
  consents!: Channel[];

  @Field({ description: 'No LETTER while a consented digital channel is usable (templates marked paperRequired excepted).' })
  paperless!: boolean;

  @Field(() => String, { nullable: true, description: 'Overrides the CRM language for rendering; null: the CRM language applies.' })
  language!: string | null;

  @Field({ description: 'IANA zone; by default derived from the postal address country.' })
  timeZone!: string;

  @Field(() => QuietHours, { nullable: true, description: 'The customer\'s own; null: the configured default (QUIET_HOURS), or none.' })
  quietHours!: QuietHours | null;

  @Field({ description: 'Emails may carry an open pixel and tracked links (true by default); false: plain links and no pixel, as with TRACKING=off. Kept by the gateway, not written to the CRM.' })
  tracking!: boolean;

  @Field(() => Date, { nullable: true, description: 'Last change through the gateway; null: never changed here.' })
  updatedAt!: Date | null;

  @Field(() => PreferenceSource, { description: 'Where the current values come from.' })
  source!: PreferenceSource;
}

@ObjectType({ description: 'A customer as the CRM knows them, joined with contracts and the contact history.' })
export class Customer {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  firstName!: string | null;

  @Field(() => String, { nullable: true })
  lastName!: string | null;

  @Field(() => String, { nullable: true })
  companyName!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true, description: 'E.164' })
  phone!: string | null;

  @Field({ description: 'BCP-47 primary language, e.g. "fr"' })
  language!: string;

  @Field(() => String, { nullable: true, description: 'e.g. "retail", "premium", "business"' })
  segment!: string | null;

  @Field(() => PostalAddress, { nullable: true })
  postalAddress!: PostalAddress | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Extra fields the back-office configuration maps (BACKOFFICE_CONFIG `attributes`); null when it maps none.' })
  attributes?: Record<string, unknown> | null;
}

@ObjectType()
export class CustomerConnection extends Connection('Customer', Customer) {}
