// How to install each real peer program a scenario may use (Debian package names).
export const PEER_HINTS: Record<string, string> = {
  openssl: 'apt-get install openssl',
  curl: 'apt-get install curl',
  nginx: 'apt-get install nginx-light',
  pebble: 'apt-get install pebble',
  'pebble-challtestsrv': 'apt-get install pebble',
  certbot: 'apt-get install certbot',
  lego: 'apt-get install lego',
  dehydrated: 'apt-get install dehydrated',
  python3: 'apt-get install python3 python3-grpcio',
  xmllint: 'apt-get install libxml2-utils',
  keytool: 'apt-get install default-jdk-headless',
  pk12util: 'apt-get install libnss3-tools',
  certutil: 'apt-get install libnss3-tools',
  certtool: 'apt-get install gnutls-bin',
  testssl: 'apt-get install testssl.sh',
  'npm:express-gateway': 'npm run peers (installs express-gateway 1.16.11 into build/peers/)',
};
