// Package credentials finds the registry credentials the docker CLI keeps,
// so that berth pulls and pushes with the same logins as `docker login`
// made: config.json in $DOCKER_CONFIG (or ~/.docker), its "auths" entries,
// and the credential helpers its "credsStore" and "credHelpers" name,
// asked through the docker-credential-<helper> protocol.
//
// A credential is a secret: no value of this package prints one. Auth
// formats as its registry and user only, and errors name the registry,
// the file and the helper, never what they returned.
package credentials
