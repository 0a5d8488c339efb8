// The four task families of the mini-challenge, in the order their data is written.
import type { Family } from './family.js';
import { BBQ_FAMILY } from './bbq-family.js';
import { GSM_FAMILY } from './gsm-family.js';
import { MMLU_FAMILY } from './mmlu-family.js';
import { TRUTHFUL_QA_FAMILY } from './truthful-qa-family.js';

export const FAMILIES: readonly Family[] = [MMLU_FAMILY, GSM_FAMILY, TRUTHFUL_QA_FAMILY, BBQ_FAMILY];
