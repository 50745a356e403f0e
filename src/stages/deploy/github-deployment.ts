// GitHub deployments for the `environment` input: one deployment per run, its status kept in
// step with the rollout (in_progress, then success or failure), linked to the workflow run.
import * as core from '@actions/core';
import type { Context } from '../../context';
import { runUrl } from '../../context';
import { errorMessage } from '../../lib/errors';
import { githubClient, type GitHubClient } from '../../lib/github';

export type DeploymentState = 'in_progress' | 'success' | 'failure';

export class GitHubDeployment {
  private constructor(
    private readonly client: GitHubClient,
    private readonly ctx: Context,
    readonly id: number,
    private readonly environmentUrl: string | undefined,
  ) {}

  /** A deployment created earlier (by the main step, for the post step). */
  static resume(
    token: string,
    ctx: Context,
    id: number,
    environmentUrl: string | undefined,
  ): GitHubDeployment | undefined {
    return token
      ? new GitHubDeployment(githubClient(token, ctx), ctx, id, environmentUrl)
      : undefined;
  }

  /**
   * Creates the deployment. A refusal (token without `deployments: write`) is a warning, not
   * a failed deploy: the cluster is what users came for.
   */
  static async start(
    token: string,
    ctx: Context,
    environment: string,
    description: string,
    environmentUrl: string | undefined,
  ): Promise<GitHubDeployment | undefined> {
    if (!token) {
      core.warning(
        `environment "${environment}" is set but github-token is empty: no GitHub deployment recorded`,
      );
      return undefined;
    }
    const client = githubClient(token, ctx);
    try {
      const response = await client.rest.repos.createDeployment({
        ...ctx.repository,
        ref: ctx.sha || ctx.ref,
        environment,
        description,
        auto_merge: false,
        // The pipeline gates itself (scan); commit statuses of other checks are not awaited here.
        required_contexts: [],
        transient_environment: false,
      });
      if (!('id' in response.data)) {
        core.warning(`GitHub did not create a deployment: ${JSON.stringify(response.data)}`);
        return undefined;
      }
      const deployment = new GitHubDeployment(client, ctx, response.data.id, environmentUrl);
      await deployment.setStatus('in_progress', description);
      return deployment;
    } catch (err) {
      core.warning(
        `could not create a GitHub deployment for environment "${environment}": ${errorMessage(err)}`,
      );
      return undefined;
    }
  }

  async setStatus(state: DeploymentState, description: string): Promise<void> {
    try {
      await this.client.rest.repos.createDeploymentStatus({
        ...this.ctx.repository,
        deployment_id: this.id,
        state,
        description: description.slice(0, 140),
        log_url: runUrl(this.ctx),
        ...(this.environmentUrl ? { environment_url: this.environmentUrl } : {}),
        auto_inactive: state === 'success',
      });
    } catch (err) {
      core.warning(`could not set GitHub deployment ${this.id} to ${state}: ${errorMessage(err)}`);
    }
  }
}
