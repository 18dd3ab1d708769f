import bcrypt from './bcryptjs.js';

export const {
  setRandomFallback,
  genSaltSync,
  genSalt,
  hashSync,
  hash,
  compareSync,
  compare,
  getRounds,
  getSalt,
  truncates,
  encodeBase64,
  decodeBase64,
  configure,
} = bcrypt;
export default bcrypt;
