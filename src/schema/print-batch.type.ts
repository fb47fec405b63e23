import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Letters, sheets and grams of one postal zone and envelope weight class: what postage planning needs.' })
export class PrintTotal {
  @Field({ description: 'DOMESTIC, EUROPE or WORLD.' })
  postalZone!: string;

  @Field({ description: 'W20 (up to 20 g), W50, W100, W250, W500, W1000, W2000, or OVER.' })
  weightClass!: string;

  @Field(() => Int)
  letters!: number;

  @Field(() => Int)
  sheets!: number;

  @Field(() => Int)
  grams!: number;
}

@ObjectType({ description: 'One letter of a print batch, in print order (a manifest line).' })
export class PrintLetter {
  @Field(() => Int)
  sequence!: number;

  @Field(() => ID)
  deliveryId!: string;

  @Field(() => ID)
  communicationId!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => Int, { description: 'Pages of the letter.' })
  pages!: number;

  @Field(() => Int, { description: 'Sheets it takes (a blank back page in duplex included).' })
  sheets!: number;

  @Field(() => Int, { description: 'Its first page in the batch PDF (from 1).' })
  firstPage!: number;

  @Field()
  weightClass!: string;

  @Field(() => Int)
  grams!: number;

  @Field()
  postalZone!: string;

  @Field()
  country!: string;

  @Field()
  postalCode!: string;
}

@ObjectType({ description: 'The files of a print batch, relative to the data folder.' })
export class PrintBatchFiles {
  @Field()
  pdf!: string;

  @Field()
  manifestCsv!: string;

  @Field()
  manifestJson!: string;
}

@ObjectType({ description: 'A closed print batch: one print-ready PDF (letters sorted by country and postal code, each with a Code 128 mark per page) and its manifest.' })
export class PrintBatch {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field({ description: 'Printed on both sides: a blank back page after each letter with an odd page count.' })
  duplex!: boolean;

  @Field(() => Int)
  letters!: number;

  @Field(() => Int, { description: 'Pages of the PDF, blank back pages included.' })
  pages!: number;

  @Field(() => Int)
  blankPages!: number;

  @Field(() => Int)
  sheets!: number;

  @Field(() => Int, { description: 'Estimated weight of all envelopes.' })
  grams!: number;

  @Field({ description: 'SHA-256 of the PDF.' })
  sha256!: string;

  @Field(() => [PrintTotal], { description: 'Per postal zone and weight class.' })
  totals!: PrintTotal[];
}
