/** The checklist's series (TE-A ... TE-N) by title: docs/checks.md and the HTML report group checks under them. */
const SERIES_TITLES: [RegExp, string][] = [
  [/^TE-A\d/, 'A. The token request'],
  [/^TE-B\d/, 'B. Client authentication'],
  [/^TE-C\d/, 'C. The token response'],
  [/^TE-D\d/, 'D. The error response'],
  [/^TE-E\d/, 'E. The password grant'],
  [/^TE-F\d/, 'F. The client_credentials grant'],
  [/^TE-G\d/, 'G. Refresh'],
  [/^TE-H\d/, 'H. Rotation and replay'],
  [/^TE-I\d/, 'I. Revocation'],
  [/^TE-J\d/, 'J. Bearer use at the resource'],
  [/^TE-K\d/, 'K. Discovery'],
  [/^TE-L\d/, 'L. JWT tokens'],
  [/^TE-M\d/, 'M. Sessions and logout'],
  [/^TE-N\d/, 'N. Availability during a run'],
  [/./, 'Project checks'],
];

/** The title of the series a check id belongs to: TE-C7 -> "C. The token response". */
export const seriesTitle = (checkId: string): string => SERIES_TITLES.find(([re]) => re.test(checkId))![1];
