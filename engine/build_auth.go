package engine

import (
	"context"

	"github.com/moby/buildkit/session/auth"
	"google.golang.org/grpc"
)

// sessionAuth answers the builder's questions for registry logins over
// the build's session, from the logins berth reads (see BuildRequest.Auth).
// Only Credentials is served: for the rest the builder asks the registry
// for tokens itself, with these credentials.
type sessionAuth struct {
	auth.UnimplementedAuthServer
	lookup func(host string) (RegistryAuth, error)
}

// Register makes sessionAuth one of the session's services.
func (a *sessionAuth) Register(s *grpc.Server) { auth.RegisterAuthServer(s, a) }

// Credentials gives the login for req.Host: a user and password, or an
// identity token as the secret with no user, as the protocol has it.
func (a *sessionAuth) Credentials(_ context.Context, req *auth.CredentialsRequest) (*auth.CredentialsResponse, error) {
	ra, err := a.lookup(req.Host)
	if err != nil {
		return nil, err // the lookup's errors name the registry, never a secret
	}
	if ra.IdentityToken != "" {
		return &auth.CredentialsResponse{Secret: ra.IdentityToken}, nil
	}
	return &auth.CredentialsResponse{Username: ra.Username, Secret: ra.Password}, nil
}
