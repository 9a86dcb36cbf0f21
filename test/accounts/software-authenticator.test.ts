/**
 * The test authenticator produces what a browser would: @simplewebauthn/server accepts its
 * registration and assertion, and refuses them when a signature, the origin, the challenge or
 * user verification is wrong.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';

const origin = 'https://netid.example';
const rpID = 'netid.example';

async function register(authenticator: SoftwareAuthenticator) {
  const options = await generateRegistrationOptions({ rpName: 'netid', rpID, userName: 'ABCDEFGHJK', attestationType: 'none', authenticatorSelection: { userVerification: 'required', residentKey: 'required' } });
  const response = authenticator.create(options);
  const verified = await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true });
  assert.equal(verified.verified, true);
  return verified.registrationInfo!;
}

describe('software authenticator', () => {
  it('registers a passkey that @simplewebauthn/server verifies, with UV', async () => {
    const info = await register(new SoftwareAuthenticator(origin));
    assert.equal(info.fmt, 'none');
    assert.equal(info.userVerified, true);
    assert.equal(info.credential.counter, 0);
  });

  it('signs assertions that verify, with an increasing counter', async () => {
    const authenticator = new SoftwareAuthenticator(origin);
    const info = await register(authenticator);
    let counter = info.credential.counter;
    for (let i = 0; i < 2; i++) {
      const options = await generateAuthenticationOptions({ rpID, userVerification: 'required', allowCredentials: [{ id: info.credential.id }] });
      const response = authenticator.get(options);
      const result = await verifyAuthenticationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, credential: { ...info.credential, counter }, requireUserVerification: true });
      assert.equal(result.verified, true);
      assert.equal(result.authenticationInfo.userVerified, true);
      assert.ok(result.authenticationInfo.newCounter > counter);
      counter = result.authenticationInfo.newCounter;
    }
  });

  it('is refused for a wrong challenge, origin, missing UV or a tampered signature', async () => {
    const authenticator = new SoftwareAuthenticator(origin);
    const info = await register(authenticator);
    const options = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
    const verify = (response: ReturnType<SoftwareAuthenticator['get']>, challenge = options.challenge) =>
      verifyAuthenticationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, credential: info.credential, requireUserVerification: true });
    await assert.rejects(verify(authenticator.get(options), 'c29tZXRoaW5nLWVsc2U'));
    await assert.rejects(verify(authenticator.get(options, { origin: 'https://evil.example' })));
    await assert.rejects(verify(authenticator.get(options, { userVerified: false })));
    const good = authenticator.get(options);
    const sig = Buffer.from(good.response.signature, 'base64url');
    sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 1;
    const tampered = { ...good, response: { ...good.response, signature: sig.toString('base64url') } };
    const outcome = await verify(tampered).then((r) => r.verified, () => false);
    assert.equal(outcome, false);
    const regOptions = await generateRegistrationOptions({ rpName: 'netid', rpID, userName: 'x', attestationType: 'none' });
    await assert.rejects(verifyRegistrationResponse({ response: authenticator.create(regOptions, { userVerified: false }), expectedChallenge: regOptions.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true }));
  });
});
