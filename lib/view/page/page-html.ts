/** The viewer's one HTML page: a shell that /app.js fills (nothing inline, so the policy can forbid inline script). */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sygra-stream view</title>
<link rel="stylesheet" href="/style.css">
</head>
<body data-ready="0">
<main id="main"><p>Loading…</p></main>
<script src="/app.js"></script>
</body>
</html>
`;
