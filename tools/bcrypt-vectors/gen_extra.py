# Generates extra bcrypt vectors with libxcrypt's crypt(3) (crypt_blowfish code).
import ctypes, ctypes.util, json
lib = ctypes.CDLL(ctypes.util.find_library('crypt')); lib.crypt.restype = ctypes.c_char_p
lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
A72 = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SRC = "generated with libxcrypt 4.4.33 crypt(3) (crypt_blowfish code); cross-checked with npm bcrypt 6.0.0 and bcryptjs 3.0.3"
extra = [
 (b"", "$2b$04$......................", "empty password, $2b$"),
 (b"", "$2y$04$......................", "empty password, $2y$"),
 (A72[:71], "$2b$05$abcdefghijklmnopqrstuu", "71 bytes"),
 (A72, "$2b$05$abcdefghijklmnopqrstuu", "72 bytes (limit, no NUL terminator used)"),
 (A72 + b"X", "$2b$05$abcdefghijklmnopqrstuu", "73 bytes: same hash as the 72-byte prefix (truncate)"),
 (A72, "$2y$05$abcdefghijklmnopqrstuu", "72 bytes, $2y$"),
 ("пароль".encode(), "$2b$05$/OK.fbVrR/bpIqNJ5ianF.", "UTF-8 Cyrillic"),
 ("пароль".encode(), "$2y$05$/OK.fbVrR/bpIqNJ5ianF.", "UTF-8 Cyrillic, $2y$"),
 ("密码🔑".encode(), "$2b$06$CCCCCCCCCCCCCCCCCCCCC.", "UTF-8 CJK + emoji (4-byte sequence)"),
 ("café".encode(), "$2a$05$XXXXXXXXXXXXXXXXXXXXXO", "UTF-8 NFC é, $2a$"),
 (("é" * 36).encode(), "$2b$05$XXXXXXXXXXXXXXXXXXXXXO", "72 bytes of UTF-8 (36 × é)"),
 (("é" * 36 + "!").encode(), "$2b$05$XXXXXXXXXXXXXXXXXXXXXO", "73 bytes of UTF-8: same hash as the 72-byte prefix (truncate)"),
 (b"correct horse battery staple", "$2b$10$k1wbIrmNyFAPwPVPSVa/ze", "cost 10"),
]
out = []
for pw, salt, note in extra:
    h = lib.crypt(pw, salt.encode()).decode()
    out.append({"pw": pw.hex(), "hash": h, "src": SRC, "note": note})
    print(h, note)
json.dump(out, open("extra.json", "w"), indent=1)
