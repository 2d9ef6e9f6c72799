/** The report formats `idpc run --report` writes; a module of its own so that the CLI's help loads no report code. */
export const REPORT_FORMATS = ['json', 'junit', 'ndjson', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
