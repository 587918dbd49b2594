/**
 * The HTML bodies the real stack answers with where it does not answer JSON: Django's default
 * 404 and 500 pages (a path without its trailing slash is not redirected for POST, it is 404),
 * and a front-server style 413. Clients must cope with HTML where they expect JSON.
 */
export const NOT_FOUND_HTML =
  '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n' +
  '  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';

export const SERVER_ERROR_HTML =
  '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n' +
  '<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n';

export const TOO_LARGE_HTML =
  '<html>\n<head><title>413 Request Entity Too Large</title></head>\n<body>\n' +
  '<center><h1>413 Request Entity Too Large</h1></center>\n</body>\n</html>\n';
