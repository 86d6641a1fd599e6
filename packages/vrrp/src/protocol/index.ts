export * from './constants.js';
export * from './checksum.js';
export * from './address.js';
export * from './advert.js';
export * from './ipv4.js';
export * from './decode.js';
