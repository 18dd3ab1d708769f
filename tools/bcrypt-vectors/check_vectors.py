# Cross-checks candidate bcrypt vectors against libxcrypt (crypt_blowfish code) via Python's crypt.
import ctypes, ctypes.util, json, sys, warnings
lib = ctypes.CDLL(ctypes.util.find_library('crypt'))
lib.crypt.restype = ctypes.c_char_p
lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
class crypt:
    @staticmethod
    def crypt(pw, salt):
        r = lib.crypt(pw, salt.encode())
        return r.decode() if r else None
warnings.filterwarnings("ignore")
A72 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
OW = "Openwall crypt_blowfish 1.3 wrapper.c tests[] (https://www.openwall.com/crypt/)"
JB = "jBCrypt TestBCrypt.java test_vectors (Damien Miller, OpenBSD-derived; https://www.mindrot.org/projects/jBCrypt/)"
def b(s): return s.encode('latin-1')
cands = [
 (b("U*U"), "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", OW),
 (b("U*U*"), "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", OW),
 (b("U*U*U"), "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", OW),
 (b(A72 + "chars after 72 are ignored"), "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", OW),
 (b("\xa3"), "$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", OW),
 (b("\xff\xff\xa3"), "$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", OW),
 (b("\xff\xff\xa3"), "$2y$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", OW),
 (b("\xff\xff\xa3"), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.nqd1wy.pTMdcvrRWxyiGL2eMz.2a85.", OW),
 (b("\xff\xff\xa3"), "$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", OW),
 (b("\xa3"), "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", OW),
 (b("\xa3"), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", OW),
 (b("\xa3"), "$2b$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", OW),
 (b("1\xa3345"), "$2x$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi", OW),
 (b("\xff\xa3345"), "$2x$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi", OW),
 (b("\xff\xa334\xff\xff\xff\xa3345"), "$2x$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi", OW),
 (b("\xff\xa334\xff\xff\xff\xa3345"), "$2y$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi", OW),
 (b("\xff\xa334\xff\xff\xff\xa3345"), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.ZC1JEJ8Z4gPfpe1JOr/oyPXTWl9EFd.", OW),
 (b("\xff\xa3345"), "$2y$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e", OW),
 (b("\xff\xa3345"), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e", OW),
 (b("\xa3ab"), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS", OW),
 (b("\xa3ab"), "$2x$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS", OW),
 (b("\xa3ab"), "$2y$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS", OW),
 (b("\xd1\x91"), "$2x$05$6bNw2HLQYeqHYyBfLMsv/OiwqTymGIGzFsA4hOTWebfehXHNprcAS", OW),
 (b("\xd0\xc1\xd2\xcf\xcc\xd8"), "$2x$05$6bNw2HLQYeqHYyBfLMsv/O9LIGgn8OMzuDoHfof8AQimSGfcSWxnS", OW),
 (b("\xaa"*72 + "chars after 72 are ignored as usual"), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.swQOIzjOiJ9GHEPuhEkvqrUyvWhEMx6", OW),
 (b("\xaa\x55"*36), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.R9xrDjiycxMbQE2bp.vgqlYpW5wx2yy", OW),
 (b("\x55\xaa\xff"*24), "$2a$05$/OK.fbVrR/bpIqNJ5ianF.9tQZzcJfm3uj2NvJ/n5xkhpqLrMpWCe", OW),
 (b(""), "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy", OW),
 (b(""), "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", JB),
 (b(""), "$2a$08$HqWuK6/Ng6sg9gQzbLrgb.Tl.ZHfXLhvt/SgVyWhQqgqcZ7ZuUtye", JB),
 (b(""), "$2a$10$k1wbIrmNyFAPwPVPSVa/zecw2BCEnBwVS2GbrmgzxFUOqW9dk4TCW", JB),
 (b("a"), "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", JB),
 (b("a"), "$2a$08$cfcvVd2aQ8CMvoMpP2EBfeodLEkkFJ9umNEfPD18.hUF62qqlC/V.", JB),
 (b("abc"), "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i", JB),
 (b("abcdefghijklmnopqrstuvwxyz"), "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC", JB),
 (b("~!@#$%^&*()      ~!@#$%^&*()PNBFRD"), "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO", JB),
]
out = []
for pw, h, src in cands:
    got = crypt.crypt(pw, h[:29])
    ok = got == h
    print("OK " if ok else "BAD", h, repr(pw)[:40], got if not ok else "")
    out.append({"pw": pw.hex(), "hash": h, "src": src, "libxcrypt": ok})
json.dump(out, open("cands.json", "w"), indent=1)
