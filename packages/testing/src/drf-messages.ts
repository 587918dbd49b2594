/**
 * Response texts of Django REST framework 3.16 and authentik, copied exactly so that clients
 * tested against the fake see what the real server says. Sources: rest_framework/fields.py,
 * rest_framework/serializers.py, rest_framework/exceptions.py, authentik/api/authentication.py
 * and authentik/core/api/utils.py (JSONDictField).
 */
export const MSG = {
  notProvided: 'Authentication credentials were not provided.',
  tokenInvalid: 'Token invalid/expired',
  /** authentik raises this for an Authorization header with a scheme other than Bearer. */
  unsupportedScheme: 'Unsupported authentication type',
  noPermission: 'You do not have permission to perform this action.',
  required: 'This field is required.',
  notNull: 'This field may not be null.',
  blank: 'This field may not be blank.',
  notAString: 'Not a valid string.',
  nullCharacters: 'Null characters are not allowed.',
  invalidIp: 'Enter a valid IPv4 or IPv6 address.',
  datetimeFormat:
    'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  /** authentik's JSONDictField validator, used for user, context and brand. */
  notADict: 'Value must be a dictionary, and not have any duplicate keys.',
  noData: 'No data provided',
  invalidPage: 'Invalid page.',
  notFound: 'No Event matches the given query.',
} as const;

export const invalidChoice = (input: string): string => `"${input}" is not a valid choice.`;

export const surrogateCharacter = (codePoint: number): string =>
  `Surrogate characters are not allowed: U+${codePoint.toString(16).toUpperCase()}.`;

/** DRF's Serializer 'invalid' message for a body that is not a JSON object. */
export const expectedDictionary = (pythonType: string): string =>
  `Invalid data. Expected a dictionary, but got ${pythonType}.`;

export const unsupportedMediaType = (contentType: string): string =>
  `Unsupported media type "${contentType}" in request.`;

export const methodNotAllowed = (method: string): string => `Method "${method}" not allowed.`;

export const invalidMultipleChoice = (value: string): string =>
  `Select a valid choice. ${value} is not one of the available choices.`;
