package certs

// Extensions are the names a file of certificates ends in: what the file
// dialogs offer, and what a drop or "Open with" imports as certificates.
// Read takes any name; these are what users' files are called.
var Extensions = []string{".cer", ".crt", ".pem", ".der", ".p7b", ".p7c", ".zip"}
