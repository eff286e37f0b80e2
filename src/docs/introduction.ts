/** The OpenAPI `info.description`; a TS string, not a .md file, so every bundler inlines it. */
export const introduction = `The authentication and organization API of OrgStack. Log in with a username or email and a password to get a
JSON Web Token (JWT) and a refresh token, then send the JWT in the \`Authorization\` header of every other request, and
exchange the refresh token for a new pair when the JWT expires.

The machine-readable document behind this page is [/api/openapi.json](/api/openapi.json).

## Authentication flow

### 1. Obtain credentials

You need the username (or email address) and password of an OrgStack account. Admins create accounts with
\`POST /api/users\`; operators with \`npm run user:create\`.

### 2. Obtain a token

Send your credentials to \`POST /api/auth/login\` as JSON:

| Field         | Type   | Required | Description                                                 |
| ------------- | ------ | -------- | ----------------------------------------------------------- |
| \`username\`    | string | Yes      | Your username or email address                              |
| \`password\`    | string | Yes      | Your account password                                       |
| \`deviceToken\` | string | No       | The \`deviceToken\` of your last login from this device (below) |

~~~sh
curl -X POST http://localhost:8787/api/auth/login \\
  -H 'Content-Type: application/json' \\
  -d '{"username": "alice", "password": "your password"}'
~~~

A \`200 OK\` response carries the token, and a refresh token:

| Field              | Type    | Description                                     |
| ------------------ | ------- | ----------------------------------------------- |
| \`token\`            | string  | The JWT to use for authentication               |
| \`userId\`           | string  | The unique identifier of the authenticated user |
| \`username\`         | string  | The username of the authenticated user          |
| \`expiresIn\`        | integer | Token expiration time in seconds                |
| \`refreshToken\`     | string  | Opaque; exchanges for a new token (step 4)      |
| \`refreshExpiresIn\` | integer | Seconds until the refresh token expires unused  |
| \`deviceToken\`      | string  | Opaque; send it with your next logins           |
| \`deviceExpiresIn\`  | integer | Seconds until the device token expires unused   |

~~~json
{
  "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…", "userId": "019ac…", "username": "alice", "expiresIn": 86400,
  "refreshToken": "AZrB8o1OeyGcOl5vcIGSowAAAAAAAHPeB0l74MC67Nk9aF5RKya5GhWZVlPJGCcHZfboiusF", "refreshExpiresIn": 1209600
}
~~~

A wrong username or password gets \`401 Unauthorized\`, a malformed request \`400 Bad Request\`, and too many
attempts \`429 Too Many Requests\` with a \`Retry-After\` header. Keep the \`deviceToken\` on the device and send it
with every later login of the same account: a login that brings it is counted on that device alone, so while strangers
guess at your account and it is locked for everyone else, your device still gets in.

### 3. Send the token

Include the token in the \`Authorization\` header of your requests, with the Bearer scheme:

~~~
Authorization: Bearer <token>
~~~

~~~sh
curl http://localhost:8787/api/auth/me -H "Authorization: Bearer $TOKEN"
~~~

On this page: open \`POST /api/auth/login\`, press **Try it out**, enter your credentials and **Execute**; copy the
\`token\` from the response, press **Authorize**, paste it and **Authorize** again. Every **Try it out** below then
sends it.

### 4. Refresh the token

Before or when the token expires, send the refresh token to \`POST /api/auth/refresh\`, in the body (never in the URL):

~~~sh
curl -X POST http://localhost:8787/api/auth/refresh \\
  -H 'Content-Type: application/json' \\
  -d '{"refreshToken": "AZrB8o1OeyGcOl5vcIGSowAAAAAAAHPeB0l74MC67Nk9aF5RKya5GhWZVlPJGCcHZfboiusF"}'
~~~

The response has the same fields as a login's: a new token and the **next** refresh token. Each refresh token is good for
one refresh: store the new one at once and forget the old. Requests sent together with one refresh token (two tabs, a
retry) all get the same response; the old one sent again later is taken as stolen, and the whole login is signed out,
its tokens included. Any refused refresh token gets \`401\` with \`"code": "invalid_refresh_token"\`: log in again.
A login that refreshes many times a minute gets \`429\` with \`"code": "too_many_refreshes"\` and a
\`Retry-After\` header: its refresh token is still good, send it again then.

## Token expiration

Tokens expire after \`expiresIn\` seconds (24 hours unless the deployment says otherwise). A request with an expired
token gets \`401 Unauthorized\`. When you receive a 401 because your token has expired:

1. Request a new token by calling \`POST /api/auth/refresh\` with your refresh token (step 4); if that is refused
   too, call \`POST /api/auth/login\` again.
2. Replace your stored token, and refresh token, with the new ones.
3. Retry the failed request with the new token.

Handle this in your application, so that an expired token never needs the user's intervention, and your application
never needs to keep the user's password. A refresh token expires after \`refreshExpiresIn\` seconds unused (14 days
unless the deployment says otherwise), and 30 days after the login at the latest. A token also stops working when you
log out (\`POST /api/auth/logout\` ends the login it comes from, refresh token included; \`POST /api/auth/logout-all\`
every login of yours) or change your password.

## Organizations

Users belong to organizations, and their role there decides what they may do there: an \`owner\` may do anything,
including deleting it and giving or taking the owner role; an \`admin\` may rename it, invite and manage its members
and read its audit trail; a \`member\` may see it and its members. Anyone may leave an organization, except its last
owner.

Nobody joins an organization without saying yes. Its owners and admins **invite** a username or an email; the invited
account sees the invitation at \`GET /api/invitations\` and accepts or declines it:

~~~sh
curl -X POST http://localhost:8787/api/orgs \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"slug": "acme", "name": "Acme Corporation"}'
curl -X POST http://localhost:8787/api/orgs/$ORG_ID/invitations \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"user": "bob@example.com", "role": "member"}'
# Bob, with his own token:
curl http://localhost:8787/api/invitations -H "Authorization: Bearer $BOB_TOKEN"
curl -X POST http://localhost:8787/api/invitations/$INVITATION_ID/accept -H "Authorization: Bearer $BOB_TOKEN"
~~~

The first returns \`201 Created\` with the organization's \`orgId\`, and makes you its owner; \`GET /api/orgs\` lists
yours, with your role in each. An invitation gets the same response whether or not an account has that username or
email, so it tells you nothing about accounts; it waits for an account created later with it, and expires after 7 days
unless the deployment says otherwise. Only the account invited can accept or decline it; an invitation that is not
yours returns \`404 Not Found\`. An organization you are not a member of returns \`404 Not Found\` whether it exists or
not; an action your role there does not allow, \`403 Forbidden\`; removing or demoting the last owner, \`409 Conflict\`.
A change of role takes effect on the next request, with the token you already hold. Fellow members see each other's
username and role; an email only to the organization's owners and admins, of members who joined by accepting.

## API keys for integrations

A CI job or a backend service should not hold a person's password. An organization's owners and admins create an
**API key** for it, with the role it acts with there (\`member\` or \`admin\`, never \`owner\`):

~~~sh
curl -X POST http://localhost:8787/api/orgs/$ORG_ID/api-keys \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"name": "CI deploys", "role": "admin", "expiresInDays": 90}'
# {"keyId":"019ac…","key":"osk_Zx81Lq0PfA3d_8kQ2…","publicId":"Zx81Lq0PfA3d","role":"admin",…}
curl http://localhost:8787/api/orgs/$ORG_ID -H "Authorization: Bearer $ORGSTACK_API_KEY"
~~~

The \`key\` is in that response only: store it as a secret at once. Send it as \`Authorization: Bearer osk_…\`
(**Authorize** on this page takes it under \`apiKeyAuth\`). It works only on its organization's operations that list
\`apiKeyAuth\`; everywhere else (another organization, your account, invitations, key management) it gets \`403\`.
\`GET /api/orgs/{orgId}/api-keys\` lists the keys, never the key itself, with when each was last used;
\`DELETE /api/orgs/{orgId}/api-keys/{keyId}\` revokes one at once. A key stops working when it expires, and when
its creator leaves the organization or loses the owner or admin role, unless an owner created it with
\`"survivesCreator": true\`.

## Security best practices

- **Use HTTPS in production.** HTTPS encrypts tokens in transit; the API refuses plain HTTP in production. The
  localhost URL in the examples is for development only.
- **Store tokens securely**, the refresh token above all, in the storage meant for secrets on your platform
  (encrypted storage, secure cookies, environment variables).
- **Don't expose tokens or API keys.** Never log them, commit them to version control or expose them in client-side
  code. Every key starts with \`osk_\`, so secret scanners can find a leaked one: revoke it at once.
- **Renew tokens automatically**, so that expiration does not disrupt your users.

## Common authentication errors

Every error response is JSON, \`{"error": "…", "code": "…"}\`: \`error\` for people, \`code\` for programs.

| Status | \`error\`                        | Solution                                                                            |
| ------ | ------------------------------ | ----------------------------------------------------------------------------------- |
| 401    | \`Invalid username or password\` | Verify your credentials are correct                                                 |
| 401    | \`Invalid or expired token\`     | Refresh the token (step 4), or log in again                                         |
| 401    | \`Missing authorization header\` | Send your token as \`Authorization: Bearer <token>\`                                  |
| 403    | \`Insufficient permissions\`     | Your account, your role or your API key lacks permission for this operation         |
| 404    | \`Organization not found\`       | Check the \`orgId\`, and that you are a member of it                                  |
| 404    | \`Invitation not found\`         | It expired, was revoked, accepted or declined, or is another account's              |

## Next steps

- Explore the endpoints below: each lists its request, its responses and the errors it can give.
- Build your integration using authenticated requests: with an organization API key (above), not a person's password.
- Handle authentication failures as above.
`
